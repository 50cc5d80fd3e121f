import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { IamCallerConfig } from '../config';
import { allowPolicy, serviceTrustPolicy } from './iam-documents';

export interface ApiIamCallersProps {
  /** `config.api.iamCallers`. */
  readonly callers: readonly IamCallerConfig[];
  readonly apiArn: string;
  /** Each group's identity-pool role, by group name (callers whose principal is a group). */
  readonly groupRoles: Readonly<Record<string, IamRole>>;
  /** The role name of a service caller, from the caller's name. */
  readonly roleName: (callerName: string) => string;
}

/** The ARN AppSync checks `appsync:GraphQL` against for one top-level field (`Query.articles`). */
function fieldArn(apiArn: string, field: string): string {
  const [typeName, fieldName] = field.split('.');
  return `${apiArn}/types/${typeName}/fields/${fieldName}`;
}

/**
 * The API's SigV4 callers: a service caller gets its own role that the service assumes; a
 * group caller's grant goes on that group's identity-pool role. Either way the grant is
 * `appsync:GraphQL` on exactly the listed fields, never `<api>/*`.
 */
export class ApiIamCallers extends Construct {
  /** The role of every caller, by caller name. */
  readonly roles: Readonly<Record<string, IamRole>>;

  constructor(scope: Construct, id: string, props: ApiIamCallersProps) {
    super(scope, id);
    const roles: Record<string, IamRole> = {};
    props.callers.forEach((caller, i) => {
      const role = 'service' in caller.principal
        ? new IamRole(this, `${caller.name}-role`, {
            name: props.roleName(caller.name),
            description: `Calls the GraphQL API with SigV4 (${caller.fields.join(', ')})`,
            assumeRolePolicy: serviceTrustPolicy(caller.principal.service),
          })
        : groupRole(props.groupRoles, caller.principal.group, i);
      new IamRolePolicy(this, `${caller.name}-policy`, {
        name: `graphql-${caller.name}`,
        role: role.id,
        policy: allowPolicy([
          { sid: 'GraphqlFields', actions: ['appsync:GraphQL'], resources: caller.fields.map((f) => fieldArn(props.apiArn, f)) },
        ]),
      });
      roles[caller.name] = role;
    });
    this.roles = roles;
  }
}

function groupRole(groupRoles: Readonly<Record<string, IamRole>>, group: string, index: number): IamRole {
  const role = groupRoles[group];
  if (!role) {
    throw new Error(
      `config api.iamCallers[${index}].principal.group = "${group}": expected a group with an identity-pool role (have: ${Object.keys(groupRoles).join(', ') || 'none'})`,
    );
  }
  return role;
}
