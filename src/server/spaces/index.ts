// Spaces: sharing between accounts. A space holds streams; its members read them (viewer), push
// to them (editor) and manage its members (owner). Every account has a personal space, the
// partition its events always went to; a shared space is one more partition with several members.
// Plain use-case functions over the Db port, tested without HTTP; they throw ProtocolErrors
// (`not_found` for anything asked of a space by a non-member, `forbidden`, `last_owner`,
// `invalid`) that the routes (src/server/http/spaces.ts) only map.
export { SPACES_CHANNEL, ROLES } from './Space'
export type { Member, Membership, Person, Role, Space, SpaceChange } from './Space'
export { personalSpaceOf, PERSONAL_NAME } from './personalSpaceOf'
export { membershipOf } from './membershipOf'
export { spacesOf } from './spacesOf'
export { createSpace, MAX_NAME } from './createSpace'
export { invite, DEFAULT_EXPIRES_IN_HOURS, MAX_EXPIRES_IN_HOURS, MAX_USES } from './invite'
export type { Invitation, InvitationOptions } from './invite'
export { acceptInvitation } from './acceptInvitation'
export { membersOf } from './membersOf'
export { setRole } from './setRole'
export { removeMember } from './removeMember'
export { changesOf, CHANGES_SHOWN } from './changes'
export { MAX_SHARED_SPACES } from './spaceLimit'
export { sharedSpacesOf } from './sharedSpacesOf'
