// AdminGetUser: the user after the membership change, as a Member.
export { getMemberRequest as request, getMemberResult as response } from '../lib/group-membership';
