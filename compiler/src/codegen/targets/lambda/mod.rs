//! `deploy = lambda {...}`: a Lambda function in the environment's private subnets, reached
//! through a function URL or the environment's load balancer, and released by a CloudFormation
//! update of the environment stack with the build artifact's object key as its code: CodeDeploy
//! shifts the environment's alias to the new version during the update (docs/targets.md).
//!
//! - [`function`]: security group, execution role, log group, the function and its environment
//!   variables (runtime values as dynamic references);
//! - [`release`]: the version, the alias with `CodeDeployLambdaAliasUpdate`, the CodeDeploy
//!   application, deployment group and role, alarms and rollback, the URL or load balancer entry.

pub mod function;
pub mod release;

use crate::ir::App;

/// The release parameter every CloudFormation action of a Lambda app's environment stack
/// passes: the build artifact's object key, which is the function's code.
pub fn release_overrides(build_artifact: &str) -> Vec<(&'static str, String)> {
    vec![(
        function::CODE_KEY_PARAMETER,
        format!("{{\"Fn::GetArtifactAtt\": [\"{build_artifact}\", \"ObjectKey\"]}}"),
    )]
}

/// What the build adds for a function: nothing; the artifact zip is the code, so the handler's
/// file must be at the root of the build's artifacts.
pub fn build_extras(_app: &App) -> super::BuildExtras {
    super::BuildExtras { post_build: Vec::new(), artifacts: Vec::new() }
}
