/**
 * Shared steps of the `addUserToGroup` / `removeUserFromGroup` pipelines: refuse groups the
 * config does not name, change the membership, then answer with the user as a `Member`.
 */
import type { Context } from '@aws-appsync/utils';
import { requireConfiguredGroup } from './caller';
import { cognitoRequest, cognitoResult, toMember } from './cognito';
import type { CognitoUser, Member } from './cognito';

export interface MembershipArgs {
  username: string;
  group: string;
}

/** Pipeline "before": the row rule (configured groups only) runs before any Cognito call. */
export function refuseUnconfiguredGroup(ctx: Context<MembershipArgs>): Record<string, never> {
  requireConfiguredGroup(ctx, ctx.args.group);
  return {};
}

/** Pipeline "after": the Member the last function loaded. */
export function lastFunctionResult(ctx: Context<MembershipArgs>): Member {
  return ctx.prev.result as Member;
}

function membershipChangeRequest(
  ctx: Context<MembershipArgs>,
  action: 'AdminAddUserToGroup' | 'AdminRemoveUserFromGroup',
) {
  return cognitoRequest(ctx, action, { Username: ctx.args.username, GroupName: ctx.args.group });
}

/** AdminAddUserToGroup (the group was checked against CONFIGURED_GROUPS before this step). */
export function addToGroupRequest(ctx: Context<MembershipArgs>) {
  return membershipChangeRequest(ctx, 'AdminAddUserToGroup');
}

/** AdminRemoveUserFromGroup (the group was checked against CONFIGURED_GROUPS before this step). */
export function removeFromGroupRequest(ctx: Context<MembershipArgs>) {
  return membershipChangeRequest(ctx, 'AdminRemoveUserFromGroup');
}

/** Fails with Cognito's error when the change was refused; Cognito answers `{}` on success. */
export function membershipChangeResult(ctx: Context<MembershipArgs>): Record<string, unknown> {
  return cognitoResult<Record<string, unknown>>(ctx);
}

/** Loads the user after the change. */
export function getMemberRequest(ctx: Context<MembershipArgs>) {
  return cognitoRequest(ctx, 'AdminGetUser', { Username: ctx.args.username });
}

export function getMemberResult(ctx: Context<MembershipArgs>): Member {
  return toMember(cognitoResult<CognitoUser>(ctx));
}
