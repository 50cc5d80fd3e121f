// Pipeline before/after: refuse groups not named in the config, answer with the Member.
export { refuseUnconfiguredGroup as request, lastFunctionResult as response } from '../lib/group-membership';
