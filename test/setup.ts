// cdktf's own jest matchers (toHaveResourceWithProperties, toBeValidTerraform, toPlanSuccessfully).
import { Testing } from 'cdktf';
Testing.setupJest();

// The pinned AWS SDK supports Node 20; its notice about SDK versions not yet released is noise in test logs.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
