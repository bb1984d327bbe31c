#pragma once
// The GraphQL documents linemgr sends, compiled in from lib/os2mo/queries/*.graphql.

namespace linemgr::queries {

extern const char* const organisation;
extern const char* const classes;
extern const char* const org_units;
extern const char* const engagements;
extern const char* const associations;
extern const char* const managers;

}  // namespace linemgr::queries
