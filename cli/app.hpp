#pragma once
// The linemgr command line: parses arguments, runs one subcommand, returns the exit status.

namespace linemgr::cli {


// Runs the command line; returns the exit status of doc/formats.md §5.
int run(int argc, char** argv);

}  // namespace linemgr::cli
