//! `deploy = ec2 {...}`: EC2 instances in an Auto Scaling group behind the environment's load
//! balancer, released in place by CodeDeploy.
//!
//! - [`compute`]: security group, instance role, launch template, Auto Scaling group, scaling;
//! - [`release`]: how each environment releases (in place, rolling, blue/green) and the
//!   blue/green parameters; [`blue_green`]: the weighted listener action and the green target group;
//! - [`image`]: the image stack baking the app's AMI once per run;
//! - [`deployment`]: the CodeDeploy deployment group, its configuration, alarms and rollback,
//!   and the pipeline's CodeDeploy action;
//! - [`appspec`]: the revision's `appspec.yml` and what the build adds to ship it;
//! - [`runtime_env`] (+ `runtime_env.py`): the hook that writes the app's runtime values on the
//!   instances at deploy time; [`runtime_access`]: the instance role's access to them.

pub mod appspec;
pub mod blue_green;
pub mod compute;
pub mod deployment;
pub mod image;
pub mod release;
pub mod runtime_access;
pub mod runtime_env;
