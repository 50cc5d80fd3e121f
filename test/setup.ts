// cdktf's own jest matchers (toHaveResourceWithProperties, toBeValidTerraform, toPlanSuccessfully).
import { Testing } from 'cdktf';
Testing.setupJest();
