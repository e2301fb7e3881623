{
  "targets": [
    {
      "target_name": "pktdrill_native",
      "sources": [
        "src/syscalls/native/addon.cc",
        "src/syscalls/native/ops.cc",
        "src/syscalls/native/constants_libc.cc",
        "src/syscalls/native/constants_uapi.cc",
        "src/syscalls/native/constants_fallback.cc",
        "src/link/native/tun.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=gnu++17", "-fexceptions", "-Wall", "-Wextra"],
      "conditions": [
        ["OS!='linux'", {
          "type": "none"
        }]
      ]
    },
    {
      "target_name": "pktdrill_sandbox",
      "type": "executable",
      "sources": ["src/sandbox/native/launch.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "conditions": [
        ["OS!='linux'", {
          "type": "none"
        }]
      ]
    }
  ]
}
