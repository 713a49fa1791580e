//! `pf cost`: the monthly on-demand estimate of every environment (and of the pipeline stacks),
//! priced from the bundled, dated table `prices.json` (per region, with its source).
//!
//! The estimate reads the stacks a build deploys ([`review::stack`](crate::review::stack)), so it
//! prices what pf emits, by resource type: instances at the Auto Scaling group's minimum and
//! maximum, their EBS volumes, Fargate tasks (vCPU and memory, x86 or arm64) at the ECS
//! service's minimum and maximum task count, NAT gateways, load balancers, public IPv4
//! addresses, databases (class, storage, Multi-AZ), cache nodes and KMS keys. A price the table
//! does not have is "no price known": the line is shown and kept out of the totals. Usage-based
//! parts (Lambda requests and GB-seconds, load balancer capacity units, NAT data, data transfer,
//! build and pipeline minutes) are listed apart with their unit price and what they assume,
//! never in the totals.
//!
//! Each environment is priced in its own region (`ir::Placement`; a stack's
//! [`region`](crate::review::stack::Stack::region)), the pipeline stacks in the pipeline's. An
//! environment in a region the table does not price keeps its lines, each "no price known",
//! and says so ([`Group::has_prices`]).

pub mod render;

use crate::check::placement;
use crate::codegen::{self, OutputFile};
use crate::ir::Program;
use crate::review::stack::{self, Resource, Stack};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The region priced when none is given.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The most apps a program may have for `pf build` to price it for its summary line. Pricing
/// adds about 6% to a build's instructions whatever its size (BENCHMARKS.md, session 9); past
/// this many apps the summary names 6 environments of hundreds, so `pf build` leaves the figure
/// to `pf cost` (docs/review.md).
pub const BUILD_PRICES_APPS: usize = 100;

/// The estimate of a build.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// The pipeline's region, where the pipeline stacks and the environments that name no
    /// region are priced.
    pub region: String,
    /// Where the prices come from, and their date.
    pub source: String,
    pub date: String,
    /// One group per environment (over every app deployed to it), by name.
    pub envs: Vec<Group>,
    /// One group per pipeline stack.
    pub pipelines: Vec<Group>,
}

/// The costs of an environment or a pipeline stack.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    /// The region whose prices are used.
    pub region: String,
    pub lines: Vec<Line>,
    pub usage: Vec<Usage>,
}

/// A fixed monthly cost: a quantity (at the minimum and maximum size) of a priced unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub stack: String,
    pub item: String,
    pub quantity: (f64, f64),
    /// `hour`, `vCPU-hour`, `GB-hour` (priced by the hour, all month), `GB-month` or `month`.
    pub unit: &'static str,
    /// `None`: no price known.
    pub unit_price: Option<f64>,
}

impl Line {
    /// The monthly cost at the minimum and maximum, when the price is known.
    pub fn monthly(&self) -> Option<(f64, f64)> {
        let price = self.unit_price?;
        let per = if self.unit.ends_with("hour") { price * hours() } else { price };
        Some((self.quantity.0 * per, self.quantity.1 * per))
    }
}

/// A usage-based cost: its unit price and the assumption that makes a figure of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    pub stack: String,
    pub item: String,
    pub unit: String,
    pub unit_price: Option<f64>,
    pub assumption: String,
}

impl Group {
    /// The monthly total at the minimum and maximum of the lines whose price is known.
    pub fn total(&self) -> (f64, f64) {
        self.lines.iter().filter_map(Line::monthly).fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y))
    }

    /// How many lines have no price known (and are not in the total).
    pub fn unpriced(&self) -> usize {
        self.lines.iter().filter(|l| l.unit_price.is_none()).count()
    }

    /// Whether the table prices the group's region.
    pub fn has_prices(&self) -> bool {
        region_prices(&self.region).is_some()
    }
}

/// The regions the table prices.
pub fn regions() -> Vec<String> {
    table().get("regions").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// The estimate of a program's generated stacks, its environments in the order they are
/// declared; `region` is the pipeline's when the program's `project` names none. The templates
/// are built and priced, never serialized ([`codegen::stacks`]).
pub fn of_program(program: &Program, region: &str) -> Result<Estimate, String> {
    let home = home_region(program, region)?;
    let each = |s: Stack| stack_costs(&s, home);
    Ok(in_order(program, combine(home, codegen::stacks(program, priced, &each))))
}

/// Every file of a program and the estimate of the stacks they deploy, as [`of_program`] makes
/// it: each stack is priced while its template is in memory (never serialized and read back,
/// never all held at once; see [`codegen::generate_with_stacks`]).
pub fn generate_priced(
    program: &Program,
    options: &codegen::Options,
    region: &str,
) -> Result<(Vec<OutputFile>, Estimate), String> {
    let mut estimate = Err(String::new());
    let files = codegen::collect(|sink| estimate = stream_priced(program, options, region, sink));
    Ok((files, estimate?))
}

/// [`generate_priced`], but each file goes to `sink` as soon as it is made
/// ([`codegen::stream_with_stacks`]); nothing is generated when the region is unknown.
pub fn stream_priced(
    program: &Program,
    options: &codegen::Options,
    region: &str,
    sink: codegen::Sink<'_>,
) -> Result<Estimate, String> {
    let home = home_region(program, region)?;
    let each = |s: Stack| stack_costs(&s, home);
    let costs = codegen::stream_with_stacks(program, options, Some((priced, &each)), sink);
    Ok(in_order(program, combine(home, costs)))
}

/// The pipeline's region: the program's `project.region`, else `region`, if pf knows it.
fn home_region<'a>(program: &'a Program, region: &'a str) -> Result<&'a str, String> {
    let home = program.project.placement.region.as_deref().unwrap_or(region);
    known_region(home)?;
    Ok(home)
}

/// The estimate with its environments in the order the program declares them.
fn in_order(program: &Program, mut e: Estimate) -> Estimate {
    let order: HashMap<&str, usize> =
        program.envs.iter().enumerate().map(|(i, env)| (env.name.as_str(), i)).collect();
    e.envs.sort_by_key(|g| order.get(g.name.as_str()).copied());
    e
}

/// The estimate of a build's files (paths relative to the output folder).
pub fn of_files(files: &[OutputFile], region: &str) -> Result<Estimate, String> {
    estimate(&stack::stacks(files)?, region)
}

/// What the estimate reads of a resource type (see [`stack::Keep`]): the properties it prices
/// and those of the resources they refer to (launch templates, task definitions, scalable
/// targets). Only these are resolved when a build prices its stacks in memory, so keep it in
/// step with [`price`] (the test `stacks_in_memory` compares with the estimate of the files).
pub fn priced(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "AWS::AutoScaling::AutoScalingGroup" => &["/MinSize", "/MaxSize", "/LaunchTemplate/LaunchTemplateId"],
        "AWS::EC2::LaunchTemplate" => &[
            "/LaunchTemplateData/InstanceType",
            "/LaunchTemplateData/BlockDeviceMappings/*/Ebs/VolumeSize",
            "/LaunchTemplateData/BlockDeviceMappings/*/Ebs/VolumeType",
            "/LaunchTemplateData/NetworkInterfaces/*/AssociatePublicIpAddress",
        ],
        "AWS::ECS::Service" => &["/DesiredCount", "/TaskDefinition"],
        "AWS::ECS::TaskDefinition" => &["/Cpu", "/Memory", "/RuntimePlatform/CpuArchitecture"],
        "AWS::ApplicationAutoScaling::ScalableTarget" => {
            &["/ServiceNamespace", "/ResourceId", "/MinCapacity", "/MaxCapacity"]
        }
        "AWS::Lambda::Function" => &["/MemorySize", "/Architectures"],
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => &["/Type", "/Scheme", "/Subnets", "/SubnetMappings"],
        "AWS::RDS::DBInstance" => {
            &["/DBInstanceClass", "/Engine", "/MultiAZ", "/AllocatedStorage", "/StorageType"]
        }
        "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::CacheCluster" => &[
            "/CacheNodeType",
            "/NumCacheClusters",
            "/NumCacheNodes",
            "/NumNodeGroups",
            "/ReplicasPerNodeGroup",
        ],
        "AWS::CodePipeline::Pipeline" => &["/PipelineType", "/Stages/*/Actions/*/Name"],
        "AWS::CodeBuild::Project" => &["/Environment/ComputeType"],
        "AWS::EC2::NatGateway" | "AWS::EC2::EIP" | "AWS::KMS::Key" | "AWS::S3::Bucket" => &[],
        _ => return None,
    })
}

/// The estimate of stacks, those that name no region priced in `region` (the pipeline's). An
/// error only for a region name pf does not know; a known region the table does not price gives
/// lines with no price known.
pub fn estimate(stacks: &[Stack], region: &str) -> Result<Estimate, String> {
    known_region(region)?;
    Ok(combine(region, stacks.iter().map(|s| stack_costs(s, region)).collect()))
}

fn known_region(region: &str) -> Result<(), String> {
    match placement::azs(region) {
        Some(_) => Ok(()),
        None => {
            Err(format!("`{region}` is not a region pf knows (the price table has {})", regions().join(", ")))
        }
    }
}

/// The costs of one stack, priced in its region (`home` when it names none), and the
/// environment it belongs to (`None`: a pipeline stack).
fn stack_costs(s: &Stack, home: &str) -> (Option<String>, Group) {
    let region = s.region.as_deref().unwrap_or(home);
    let p = Prices(region_prices(region).unwrap_or(&Value::Null));
    let name = s.env.clone().unwrap_or_else(|| s.name.clone());
    let mut g = Group { name, region: region.to_string(), lines: vec![], usage: vec![] };
    for (id, r) in &s.resources {
        price(s, id, r, &p, &mut g);
    }
    merge_lines(&mut g);
    (s.env.clone(), g)
}

/// The estimate of the stacks' costs: one group per environment, over every app deployed to it.
fn combine(home: &str, costs: Vec<(Option<String>, Group)>) -> Estimate {
    let mut envs: BTreeMap<String, Group> = BTreeMap::new();
    let mut pipelines = Vec::new();
    for (env, g) in costs {
        match env {
            Some(env) => {
                let into = envs.entry(env).or_insert_with(|| Group {
                    name: g.name.clone(),
                    region: g.region.clone(),
                    lines: vec![],
                    usage: vec![],
                });
                into.lines.extend(g.lines);
                into.usage.extend(g.usage);
            }
            None => pipelines.push(g),
        }
    }
    let text = |k: &str| table().get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let envs = envs.into_values().collect();
    Estimate { region: home.to_string(), source: text("source"), date: text("date"), envs, pipelines }
}

/// The prices of `region` in the table.
fn region_prices(region: &str) -> Option<&'static Value> {
    table().get("regions")?.get(region)
}

/// The prices of one region (`Null`: none known).
struct Prices<'a>(&'a Value);

impl Prices<'_> {
    /// The price at `path` (`/table/key`; keys hold no `/`), without `Value::pointer`'s
    /// allocations.
    fn get(&self, path: &str) -> Option<f64> {
        path.split('/').skip(1).try_fold(self.0, |v, key| v.get(key))?.as_f64()
    }
    fn keyed(&self, table: &str, key: &str) -> Option<f64> {
        self.0.get(table)?.get(key)?.as_f64()
    }
}

/// Adds the lines and usage of one resource.
fn price(s: &Stack, id: &str, r: &Resource, p: &Prices, g: &mut Group) {
    let prop = |k: &str| r.properties.get(k);
    let text = |k: &str| prop(k).and_then(Value::as_str);
    let field = |k: &str| prop(k).and_then(number);
    let mut line = |item: String, quantity: (f64, f64), unit: &'static str, unit_price: Option<f64>| {
        g.lines.push(Line { stack: s.name.clone(), item, quantity, unit, unit_price });
    };
    match r.kind.as_str() {
        "AWS::AutoScaling::AutoScalingGroup" => {
            let size = (field("MinSize").unwrap_or(0.0), field("MaxSize").unwrap_or(0.0));
            let data = launch_template(s, r).and_then(|t| t.properties.get("LaunchTemplateData"));
            let kind = data.and_then(|d| d.get("InstanceType")).and_then(Value::as_str);
            match kind {
                Some(k) => {
                    line(format!("EC2 instances {k} (Linux)"), size, "hour", p.keyed("ec2_instance_hour", k))
                }
                None => line("EC2 instances of an unknown type".into(), size, "hour", None),
            }
            let volumes = data.and_then(|d| d.get("BlockDeviceMappings")).and_then(Value::as_array);
            for ebs in volumes.into_iter().flatten().filter_map(|m| m.get("Ebs")) {
                let gb = ebs.get("VolumeSize").and_then(number).unwrap_or(0.0);
                let kind = ebs.get("VolumeType").and_then(Value::as_str).unwrap_or("gp2");
                let item = format!("EBS {kind} volumes of {gb} GB, one per instance");
                line(item, (gb * size.0, gb * size.1), "GB-month", p.keyed("ebs_gb_month", kind));
            }
            let public = data
                .and_then(|d| d.get("NetworkInterfaces")?.get(0)?.get("AssociatePublicIpAddress"))
                .is_some_and(|v| v == true || v == "true");
            if public {
                line(
                    "public IPv4 addresses of the instances".into(),
                    size,
                    "hour",
                    p.get("/public_ipv4_hour"),
                );
            }
        }
        "AWS::ECS::Service" => {
            let tasks = scalable_target(s, id)
                .map(|t| {
                    let n = |k: &str| t.properties.get(k).and_then(number).unwrap_or(0.0);
                    (n("MinCapacity"), n("MaxCapacity"))
                })
                .unwrap_or_else(|| {
                    let n = field("DesiredCount").unwrap_or(1.0);
                    (n, n)
                });
            let task = reference(s, r, "TaskDefinition").map(|t| &t.properties);
            let of_task = |k: &str| task.and_then(|t| t.get(k)).and_then(number);
            let arch = task
                .and_then(|t| t.get("RuntimePlatform")?.get("CpuArchitecture")?.as_str())
                .unwrap_or("X86_64");
            let (vcpu, gb) =
                (of_task("Cpu").unwrap_or(0.0) / 1024.0, of_task("Memory").unwrap_or(0.0) / 1024.0);
            let per = |x: f64| (tasks.0 * x, tasks.1 * x);
            let (cpu_price, gb_price) =
                (p.keyed("fargate_vcpu_hour", arch), p.keyed("fargate_gb_hour", arch));
            let item = format!("Fargate vCPU ({arch}), {vcpu} vCPU per task");
            line(item, per(vcpu), "vCPU-hour", cpu_price);
            let item = format!("Fargate memory ({arch}), {gb} GB per task");
            line(item, per(gb), "GB-hour", gb_price);
        }
        "AWS::Lambda::Function" => {
            let mb = field("MemorySize").unwrap_or(128.0);
            let arch = prop("Architectures").and_then(|a| a.get(0)?.as_str()).unwrap_or("x86_64");
            let gb_second = p.get(&format!("/usage/lambda_gb_second/{arch}"));
            let request = p.get("/usage/lambda_request_million");
            let example = gb_second
                .zip(request)
                .map(|(g, q)| {
                    let million = q + 1e6 * 0.1 * mb / 1024.0 * g;
                    format!("; a million requests of 100 ms each cost {}", render::money(million))
                })
                .unwrap_or_default();
            let per_request = request.map(|q| format!("${q} per million requests and ")).unwrap_or_default();
            g.usage.push(Usage {
                stack: s.name.clone(),
                item: format!("Lambda requests and duration ({arch}, {mb} MB)"),
                unit: "GB-second".into(),
                unit_price: gb_second,
                assumption: format!(
                    "{per_request}the seconds the function runs times its {mb} MB, before the free tier{example}"
                ),
            });
        }
        "AWS::EC2::NatGateway" => {
            line("NAT gateways".into(), (1.0, 1.0), "hour", p.get("/nat_gateway_hour"));
            g.usage.push(Usage {
                stack: s.name.clone(),
                item: "NAT gateway data processed".into(),
                unit: "GB".into(),
                unit_price: p.get("/usage/nat_gateway_gb"),
                assumption: "every GB the instances send or receive through a NAT gateway".into(),
            });
        }
        "AWS::EC2::EIP" => {
            line("public IPv4 addresses (Elastic IPs)".into(), (1.0, 1.0), "hour", p.get("/public_ipv4_hour"))
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let kind = text("Type").unwrap_or("application");
            line(format!("load balancers ({kind})"), (1.0, 1.0), "hour", p.keyed("load_balancer_hour", kind));
            if text("Scheme").unwrap_or("internet-facing") == "internet-facing" {
                let subnets =
                    prop("Subnets").or(prop("SubnetMappings")).and_then(Value::as_array).map_or(1, Vec::len);
                let n = subnets as f64;
                let item = "public IPv4 addresses of the load balancers (one per subnet, at least)".into();
                line(item, (n, n), "hour", p.get("/public_ipv4_hour"));
            }
            if kind == "application" {
                let lcu = p.get("/usage/alb_lcu_hour");
                let example = lcu
                    .map(|u| format!(": 1 LCU all month is {}", render::money(u * hours())))
                    .unwrap_or_default();
                g.usage.push(Usage {
                    stack: s.name.clone(),
                    item: "load balancer capacity units".into(),
                    unit: "LCU-hour".into(),
                    unit_price: lcu,
                    assumption: format!(
                        "by new connections, active connections, bytes and rule evaluations{example}"
                    ),
                });
            }
            g.usage.push(Usage {
                stack: s.name.clone(),
                item: "data transfer out to the internet".into(),
                unit: "GB".into(),
                unit_price: None,
                assumption: "every GB the app sends to its users".into(),
            });
        }
        "AWS::RDS::DBInstance" => {
            let class = text("DBInstanceClass").unwrap_or("an unknown class");
            let engine = text("Engine").unwrap_or("an unknown engine");
            let multi_az = prop("MultiAZ").is_some_and(|v| v == true || v == "true");
            let factor = if multi_az { p.get("/rds_multi_az_factor") } else { Some(1.0) };
            let az = if multi_az { ", Multi-AZ (priced x2)" } else { "" };
            let hour = p.get(&format!("/rds_instance_hour/{engine}/{class}"));
            line(
                format!("RDS {engine} {class}{az}"),
                (1.0, 1.0),
                "hour",
                hour.zip(factor).map(|(h, f)| h * f),
            );
            let gb = field("AllocatedStorage").unwrap_or(0.0);
            let kind = text("StorageType").unwrap_or("an unknown type");
            let per_gb = p.keyed("rds_storage_gb_month", kind).zip(factor).map(|(h, f)| h * f);
            line(format!("RDS storage {kind}, {gb} GB{az}"), (gb, gb), "GB-month", per_gb);
        }
        "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::CacheCluster" => {
            let node = text("CacheNodeType").unwrap_or("an unknown type");
            let nodes = field("NumCacheClusters").or(field("NumCacheNodes")).unwrap_or_else(|| {
                field("NumNodeGroups").unwrap_or(1.0) * (field("ReplicasPerNodeGroup").unwrap_or(0.0) + 1.0)
            });
            line(
                format!("ElastiCache nodes {node}"),
                (nodes, nodes),
                "hour",
                p.keyed("cache_node_hour", node),
            );
        }
        "AWS::KMS::Key" => line("KMS keys".into(), (1.0, 1.0), "month", None),
        "AWS::CodePipeline::Pipeline" => {
            let actions: usize = prop("Stages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|s| s.get("Actions").and_then(Value::as_array).map_or(0, Vec::len))
                .sum();
            let v2 = text("PipelineType") == Some("V2");
            let minute = if v2 { p.get("/usage/codepipeline_v2_action_minute") } else { None };
            let example = minute
                .map(|m| {
                    format!(
                        "; a run in which each takes 5 minutes costs {}",
                        render::money(m * 5.0 * actions as f64)
                    )
                })
                .unwrap_or_default();
            g.usage.push(Usage {
                stack: s.name.clone(),
                item: format!("CodePipeline {} action minutes", if v2 { "V2" } else { "V1" }),
                unit: "action-minute".into(),
                unit_price: minute,
                assumption: format!("{actions} actions a run{example}"),
            });
        }
        "AWS::CodeBuild::Project" => g.usage.push(Usage {
            stack: s.name.clone(),
            item: format!(
                "CodeBuild build minutes ({})",
                prop("Environment").and_then(|e| e.get("ComputeType")).and_then(Value::as_str).unwrap_or("?")
            ),
            unit: "build-minute".into(),
            unit_price: None,
            assumption: "the minutes the builds and tests take".into(),
        }),
        "AWS::S3::Bucket" => g.usage.push(Usage {
            stack: s.name.clone(),
            item: "S3 storage and requests".into(),
            unit: "GB-month".into(),
            unit_price: None,
            assumption: "the artifacts kept".into(),
        }),
        _ => {}
    }
}

/// The launch template an Auto Scaling group launches (`LaunchTemplate.LaunchTemplateId: Ref`).
fn launch_template<'a>(s: &'a Stack, group: &Resource) -> Option<&'a Resource> {
    let id = group.properties.get("LaunchTemplate")?.get("LaunchTemplateId")?.get("Ref")?.as_str()?;
    s.resources.get(id)
}

/// The resource a property refers to (`key: Ref`).
fn reference<'a>(s: &'a Stack, r: &Resource, key: &str) -> Option<&'a Resource> {
    s.resources.get(r.properties.get(key)?.get("Ref")?.as_str()?)
}

/// The scalable target of an ECS service: the stack's ECS target whose `ResourceId` names the
/// service (`service/${Cluster}/${Service.Name}`).
fn scalable_target<'a>(s: &'a Stack, service: &str) -> Option<&'a Resource> {
    let name = format!("${{{service}.Name}}");
    s.resources.values().find(|t| {
        t.kind == "AWS::ApplicationAutoScaling::ScalableTarget"
            && t.properties.get("ServiceNamespace").and_then(Value::as_str) == Some("ecs")
            && t.properties
                .get("ResourceId")
                .and_then(|v| v.get("Fn::Sub"))
                .and_then(Value::as_str)
                .is_some_and(|text| text.contains(&name))
    })
}

/// Lines of the same item, unit and price added up (a stack's three NAT gateways: one line).
fn merge_lines(g: &mut Group) {
    let mut merged: Vec<Line> = Vec::new();
    for l in g.lines.drain(..) {
        match merged
            .iter_mut()
            .find(|m| m.stack == l.stack && m.item == l.item && m.unit_price == l.unit_price)
        {
            Some(m) => m.quantity = (m.quantity.0 + l.quantity.0, m.quantity.1 + l.quantity.1),
            None => merged.push(l),
        }
    }
    g.lines = merged;
    g.usage.dedup_by(|a, b| a.stack == b.stack && a.item == b.item);
}

/// A number written as a number or a string.
fn number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.parse().ok())
}

/// Hours in a month, as the table prices them.
pub fn hours() -> f64 {
    table().get("hours_per_month").and_then(Value::as_f64).unwrap_or(730.0)
}

fn table() -> &'static Value {
    static TABLE: OnceLock<Value> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!("prices.json")).expect("the bundled price table is JSON")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stack(env: &str, resources: Value) -> Stack {
        let resources = resources
            .as_object()
            .unwrap()
            .iter()
            .map(|(id, r)| {
                let resource = Resource {
                    kind: r["Type"].as_str().unwrap().into(),
                    properties: r["Properties"].as_object().cloned().unwrap_or_default(),
                    deletion_policy: None,
                    update_replace_policy: None,
                };
                (id.clone(), resource)
            })
            .collect();
        Stack {
            name: format!("a-{env}"),
            app: "a".into(),
            env: Some(env.into()),
            protected: false,
            region: None,
            resources,
            guard: None,
        }
    }

    #[test]
    fn instances_are_priced_at_min_and_max_and_unknown_prices_stay_out() {
        let s = stack(
            "e",
            json!({
                "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                    "MinSize": "1", "MaxSize": "3", "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}}}},
                "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
                    "InstanceType": "t3.micro",
                    "BlockDeviceMappings": [{"Ebs": {"VolumeSize": "20", "VolumeType": "gp3"}}]}}},
                "Nat1": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
                "Nat2": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            }),
        );
        let e = estimate(&[s], DEFAULT_REGION).unwrap();
        let g = &e.envs[0];
        let per_hour = 0.0104 * 730.0;
        let nat = 2.0 * 0.045 * 730.0;
        let (min, max) = g.total();
        assert!((min - (per_hour + nat)).abs() < 1e-9, "{min}");
        assert!((max - (3.0 * per_hour + nat)).abs() < 1e-9, "{max}");
        assert_eq!(g.unpriced(), 1, "gp3 EBS has no price in the table");
        assert_eq!(g.lines.iter().filter(|l| l.item == "NAT gateways").count(), 1, "one line for both");
    }

    #[test]
    fn an_unknown_region_is_an_error() {
        let e = estimate(&[], "mars-1").unwrap_err();
        assert!(e.contains("`mars-1` is not a region pf knows") && e.contains("us-east-1"), "{e}");
    }

    #[test]
    fn a_stack_in_a_region_without_prices_is_priced_nowhere_else() {
        let nat = json!({"Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}}});
        let mut away = stack("away", nat.clone());
        away.region = Some("eu-west-1".into());
        let e = estimate(&[stack("home", nat), away], DEFAULT_REGION).unwrap();
        let (away, home) = (&e.envs[0], &e.envs[1]);
        assert_eq!((away.region.as_str(), away.has_prices(), away.total()), ("eu-west-1", false, (0.0, 0.0)));
        assert_eq!(away.unpriced(), 1, "the line stays, with no price known");
        assert_eq!((home.region.as_str(), home.has_prices()), ("us-east-1", true));
        assert!((home.total().0 - 0.045 * 730.0).abs() < 1e-9, "{:?}", home.total());
    }
}
