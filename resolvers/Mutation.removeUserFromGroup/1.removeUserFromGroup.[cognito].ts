// AdminRemoveUserFromGroup; fails with Cognito's error type (e.g. UserNotFoundException).
export { removeFromGroupRequest as request, membershipChangeResult as response } from '../lib/group-membership';
