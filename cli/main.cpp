#include "app.hpp"

int main(int argc, char** argv) { return linemgr::cli::run(argc, argv); }
