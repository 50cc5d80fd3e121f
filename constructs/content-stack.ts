import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import type { StackConfig } from '../config';

export interface ContentStackProps {
  /** The environment's resolved config. */
  readonly config: StackConfig;
  /**
   * Plan without AWS: dummy credentials and the provider's skip flags. Only for offline
   * validate/plan; the deployable provider block carries neither.
   * @default false
   */
  readonly offline?: boolean;
}

/** One environment: identity (user pool, federation, identity pool, bucket) and the GraphQL API. */
export class ContentStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ContentStackProps) {
    super(scope, id);
    void props;
    // IDENTITY: provider, backend, user directory, federation, identity access, content store, outputs.
    // API: GraphQL API (needs the user pool and the IAM caller roles).
  }
}
