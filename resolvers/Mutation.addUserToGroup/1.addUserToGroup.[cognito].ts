// AdminAddUserToGroup; fails with Cognito's error type (e.g. UserNotFoundException).
export { addToGroupRequest as request, membershipChangeResult as response } from '../lib/group-membership';
