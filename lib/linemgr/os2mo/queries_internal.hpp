#pragma once
// The GraphQL documents linemgr sends, compiled in from lib/os2mo/queries/*.graphql.

namespace linemgr::os2mo::queries {

extern const char* const organisation;
extern const char* const classes;
extern const char* const org_units;
extern const char* const engagements;
extern const char* const associations;
extern const char* const managers;
extern const char* const itusers;
extern const char* const declare_listener;
extern const char* const fetch_event;
extern const char* const acknowledge_event;
extern const char* const event_objects;
extern const char* const event_persons;
extern const char* const scope_units;
extern const char* const scope_records;
extern const char* const scope_persons;
extern const char* const units_by_user_key;
extern const char* const verify_org_units;
extern const char* const verify_engagements;
extern const char* const verify_associations;
extern const char* const verify_managers;
extern const char* const set_unit_class;
extern const char* const create_manager;
extern const char* const update_manager;
extern const char* const terminate_manager;
extern const char* const terminate_association;
extern const char* const move_engagement;

}  // namespace linemgr::os2mo::queries
