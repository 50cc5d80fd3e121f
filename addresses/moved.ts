/**
 * Resources whose Terraform address changed on purpose (a construct renamed or moved in the
 * tree), so that Terraform moves their state instead of destroying and recreating them.
 *
 * A resource's address is `<type>.<logical id>`; cdktf derives the logical id from the construct
 * path (`directory/user-pool` -> `directory_user-pool_5F9EB515`). Renaming a construct therefore
 * changes the address, and without an entry here `terraform apply` would destroy the old resource
 * (the user pool with its users, the table with its data) and create an empty one.
 * `npm test` fails when an address of `docs/resource-addresses.json` disappears without an entry
 * here; `npm run review -- <ref>` prints the entry to add.
 *
 * Keep an entry until every environment's state has been applied past it (Terraform treats a
 * `moved` block whose `from` is absent from state as a no-op, so an old entry is harmless).
 */
export interface MovedEntry {
  /** The address the resource had, e.g. `aws_cognito_user_pool.directory_user-pool_5F9EB515`. */
  readonly from: string;
  /** The address it has now; it must exist in the synthesized stack. */
  readonly to: string;
  /**
   * The environments (stack names) the move applies to.
   * @default every environment whose stack has `to`
   */
  readonly environments?: readonly string[];
  /** Why it moved (for the reviewer; not synthesized). */
  readonly reason: string;
}

/** The project's moves, applied at synth as Terraform `moved` blocks (cdktf `moveFromId`). */
export const MOVED: readonly MovedEntry[] = [
  {
    from: 'aws_appsync_function.api_function-Mutation_addUserToGroup_2_getMember_9BB3B90A',
    to: 'aws_appsync_function.api_function-functions_getMember_22AD2F8C',
    reason:
      'addUserToGroup and removeUserFromGroup run one shared getMember function (resolvers/functions/); ' +
      'the first copy becomes it, the second (Mutation_removeUserFromGroup_2_getMember) is destroyed: a function holds no data',
  },
];
