// pktdrill_sandbox: starts a script's process as PID 1 of fresh namespaces,
// in one exec instead of setpriv + unshare + sh + eight mount, mkdir and
// chmod processes (about 35 ms of a one-call script, bench/RESULTS.md).
//
//   pktdrill_sandbox [--user] -- PROGRAM [ARG...]
//
// What it sets up is what src/sandbox/spawn.ts's shell command line does,
// step for step (that line stays as the fallback where this is not built):
//
//   - this process dies with its parent (PR_SET_PDEATHSIG, SIGKILL), and the
//     script's process with this one: nothing outlives pktdrill;
//   - new network, mount and PID namespaces (and with --user a user
//     namespace mapping the caller to root, for runs without root);
//   - mounts private to the new mount namespace; a /proc of the new PID
//     namespace, and a /sys that shows the new network namespace;
//   - /proc/sys read-only except /proc/sys/net (the namespace's own
//     sysctls), so no script can change a host setting;
//   - a private /tmp: an overlay on the host's /tmp whose upper layer is a
//     tmpfs of the sandbox's own, the host's /tmp kept open on fd 9 and named
//     by PKTDRILL_HOST_TMP_FD (no overlay: the host's /tmp, no fd 9);
//   - PROGRAM runs as PID 1; this process waits for it and ends as it did.
//
// Every failure before PROGRAM starts is one line on stderr naming the step
// (the runner shows it, and says that pktdrill needs root or user namespaces).

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOST_TMP_FD 9

// Exit codes of the launcher's own failures, told apart from the script
// process's by the caller (src/sandbox/spawn.ts): SETUP_REFUSED, namespaces
// or mounts refused (no privileges); LAUNCH_FAILED, anything else before
// PROGRAM runs; 127, PROGRAM could not be started.
#define SETUP_REFUSED 125
#define LAUNCH_FAILED 126
__attribute__((noreturn)) static void fail(int code, const char *what, const char *arg) {
  fprintf(stderr, "pktdrill_sandbox: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  _exit(code);
}
__attribute__((noreturn)) static void die(const char *what, const char *arg) { fail(LAUNCH_FAILED, what, arg); }
__attribute__((noreturn)) static void refused(const char *what, const char *arg) { fail(SETUP_REFUSED, what, arg); }

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t n = strlen(text);
  ssize_t w = write(fd, text, n);
  int saved = errno;
  close(fd);
  errno = saved;
  return w == (ssize_t)n ? 0 : -1;
}

/** The flags a bind remount must keep (in a user namespace the kernel insists). */
static unsigned long kept_flags(const char *path) {
  struct statvfs s;
  unsigned long f = 0;
  if (statvfs(path, &s) != 0) return 0;
  if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (s.f_flag & ST_NODEV) f |= MS_NODEV;
  if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

/** A bind mount of `path` onto itself, then made read-only or read-write. */
static void bind_self(const char *path, int read_only) {
  if (mount(path, path, NULL, MS_BIND, NULL) != 0) refused("mount --bind", path);
  unsigned long flags = MS_REMOUNT | MS_BIND | kept_flags(path) | (read_only ? MS_RDONLY : 0);
  if (mount(NULL, path, NULL, flags, NULL) != 0) refused(read_only ? "mount -o remount,bind,ro" : "mount -o remount,bind,rw", path);
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/** The private /tmp; 0 when it is in place, -1 when the host's /tmp stays. */
static int private_tmp(void) {
  if (!is_dir("/tmp") || !is_dir("/dev/shm")) return -1;
  if (mount("pktdrill-tmp", "/dev/shm", "tmpfs", 0, "mode=700") != 0) return -1;
  if (mkdir("/dev/shm/upper", 0755) != 0 || mkdir("/dev/shm/work", 0755) != 0) return -1;
  if (chmod("/dev/shm/upper", 01777) != 0) return -1;
  int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -1;
  if (fd != HOST_TMP_FD) {
    if (dup2(fd, HOST_TMP_FD) < 0) {
      close(fd);
      return -1;
    }
    close(fd);
  }
  if (mount("pktdrill-tmp", "/tmp", "overlay", 0, "lowerdir=/tmp,upperdir=/dev/shm/upper,workdir=/dev/shm/work") != 0) {
    close(HOST_TMP_FD);
    return -1;
  }
  return setenv("PKTDRILL_HOST_TMP_FD", "9", 1);
}

/** The script's process, PID 1 of the new PID namespace: mounts, then PROGRAM. */
static void child(char **argv) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("prctl", "PR_SET_PDEATHSIG");
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) refused("mount -t proc", "/proc");
  // sysfs must be mounted again or /sys/class/net shows the host's interfaces.
  if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) refused("mount -t sysfs", "/sys");
  bind_self("/proc/sys", 1);
  bind_self("/proc/sys/net", 0);
  if (private_tmp() != 0) unsetenv("PKTDRILL_HOST_TMP_FD");
  execv(argv[0], argv);
  fail(127, "cannot start", argv[0]);
}

int main(int argc, char **argv) {
  int user = 0;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    if (strcmp(argv[i], "--user") == 0) user = 1;
    else {
      fprintf(stderr, "pktdrill_sandbox: unknown option %s\nusage: pktdrill_sandbox [--user] -- PROGRAM [ARG...]\n", argv[i]);
      return 2;
    }
  }
  if (i + 1 >= argc) {
    fprintf(stderr, "usage: pktdrill_sandbox [--user] -- PROGRAM [ARG...]\n");
    return 2;
  }
  char **program = argv + i + 1;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die("prctl", "PR_SET_PDEATHSIG");
  uid_t uid = getuid();
  gid_t gid = getgid();
  int flags = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | (user ? CLONE_NEWUSER : 0);
  if (unshare(flags) != 0) refused("unshare", user ? "(user, net, mount, pid)" : "(net, mount, pid)");
  if (user) {
    char map[64];
    if (write_file("/proc/self/setgroups", "deny") != 0) refused("unshare: cannot write", "/proc/self/setgroups");
    snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
    if (write_file("/proc/self/uid_map", map) != 0) refused("unshare: cannot write", "/proc/self/uid_map");
    snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
    if (write_file("/proc/self/gid_map", map) != 0) refused("unshare: cannot write", "/proc/self/gid_map");
  }
  // Mounts made here on stay in the new mount namespace.
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) refused("mount --make-rprivate", "/");
  pid_t pid = fork();
  if (pid < 0) die("fork", NULL);
  if (pid == 0) child(program);
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid", NULL);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  // Ended by a signal: end by the same one, so the caller sees it.
  int sig = WTERMSIG(status);
  signal(sig, SIG_DFL);
  prctl(PR_SET_DUMPABLE, 0);
  kill(getpid(), sig);
  return 128 + sig;
}
