// Terminal guard (termguard.cc): restores the terminal on fatal signals that
// JavaScript listeners cannot handle.
#pragma once
#include <napi.h>

void termguard_init(Napi::Env env, Napi::Object exports);
