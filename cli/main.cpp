#include <malloc.h>

#include "app.hpp"

int main(int argc, char** argv) {
  // Blocks of 128 KiB and more are mapped on their own and given back when freed (glibc would
  // raise this bound as the model's tables grow, and keep what growing them left behind).
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  return linemgr::cli::run(argc, argv);
}
