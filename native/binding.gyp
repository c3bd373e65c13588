{
  "targets": [
    {
      "target_name": "ostop_native",
      "sources": [
        "addon/init.cc", "addon/errors.cc", "addon/probes.cc", "addon/tracefs.cc", "addon/ring.cc",
        "addon/lifecycle.cc", "addon/maps.cc", "addon/stacks.cc", "addon/symbols.cc", "addon/layouts.cc", "addon/iterators.cc",
        "addon/termguard.cc", "addon/registry.c", "addon/libbpf-static.c"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "addon",
        "bpf",
        ".output"
      ],
      "dependencies": [],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags": ["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["/usr/lib/x86_64-linux-gnu/libbpf.a", "-ldw", "-lelf", "-lz"]
    }
  ]
}
