#!/bin/sh
# Pins the sysctls whose defaults a namespace inherits from the host, so the
# corpus expects the same SYN-ACK options on every machine. Runs inside the
# script's own network namespace: nothing here touches the host.
set -e
sysctl -q net.ipv4.tcp_rmem="4096 131072 6291456"
sysctl -q net.ipv4.tcp_wmem="4096 16384 4194304"
sysctl -q net.ipv4.tcp_timestamps=1
sysctl -q net.ipv4.tcp_sack=1
sysctl -q net.ipv4.tcp_window_scaling=1
sysctl -q net.ipv4.tcp_syncookies=1
sysctl -q net.ipv4.tcp_ecn=2
# A namespace inherits the host's default congestion control (bbr here, which
# paces); reno is always built in and sends as fast as cwnd allows.
sysctl -q net.ipv4.tcp_congestion_control=reno
