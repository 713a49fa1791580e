//! `deploy = ecs {...}`: a container on ECS Fargate behind the environment's load balancer,
//! released by an update of the environment stack with the image tag as a parameter
//! (docs/targets.md).
//!
//! - [`image`]: what the build adds to push the image, the pipeline's ECR repository, and the
//!   release parameters of the pipeline's CloudFormation actions;
//! - [`service`]: cluster, log group and its key, roles, task definition, security group,
//!   service and autoscaling;
//! - [`secrets`]: the container's secrets (its own, the runtime values, the database's and
//!   cache's), per environment, and the execution role's right to read them;
//! - [`release`]: the deployment strategy (rolling with the circuit breaker; blue/green, canary
//!   and linear through a second target group, production and test listener rules), bake time,
//!   alarms and rollback.

pub mod image;
pub mod release;
pub mod secrets;
pub mod service;

/// The name of the one container of the task.
pub const CONTAINER: &str = "app";
