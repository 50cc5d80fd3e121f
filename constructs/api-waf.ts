import { Construct } from 'constructs';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';

export interface ApiWafProps {
  /** Web ACL name (also the CloudWatch metric prefix). */
  readonly name: string;
  /** The AppSync API to protect. */
  readonly apiArn: string;
  /** Requests one client IP may send in any 5 minutes before WAF blocks it (10 to 2,000,000,000). */
  readonly requestsPer5Minutes: number;
}

/** A regional web ACL on the API: everything allowed except clients over the rate limit. */
export class ApiWaf extends Construct {
  readonly webAcl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: ApiWafProps) {
    super(scope, id);
    const metrics = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    this.webAcl = new Wafv2WebAcl(this, 'acl', {
      name: props.name,
      description: 'Rate limit per client IP on the GraphQL API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [
        {
          name: 'rate-limit-per-ip',
          priority: 0,
          action: { block: {} },
          // `statement` is untyped in the bindings (recursive block): written in Terraform's names.
          statement: { rate_based_statement: { limit: props.requestsPer5Minutes, aggregate_key_type: 'IP' } },
          visibilityConfig: metrics(`${props.name}-rate-limit`),
        },
      ],
      visibilityConfig: metrics(props.name),
    });
    new Wafv2WebAclAssociation(this, 'association', { resourceArn: props.apiArn, webAclArn: this.webAcl.arn });
  }
}
