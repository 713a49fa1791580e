//! Environments: network, compute, database, cache, DNS, strategy, rollback and alarms.

use super::*;
use crate::ast::Cidr;
use crate::check::resolve::{unknown_reference, Decl};
use crate::check::suggest::did_you_mean;
use crate::check::value::Named;
use crate::diagnostic::{codes, Applicability};
use crate::ir::{
    Alarm, BlueGreen, Cache, Compute, Database, Dns, Engine, Env, Metric, Nat, Network, Placement, Rollback,
    Rolling, Scaling, Shift, Strategy,
};
use crate::schema;
use crate::stdlib;

pub fn lower(ctx: &mut Ctx, d: &Decl, protected_names: &[String], project: &Placement) -> Option<Env> {
    let mark = ctx.diagnostics.len();
    let o = d.flat();
    require(ctx, o, &schema::ENV, d.name.span);
    let network = obj_of(o, "network").and_then(|n| network(ctx, n, &d.name));
    let compute = compute(ctx, obj_of(o, "compute"), obj_of(&d.own, "compute"), d.name.span);
    let protected = bool_of(o, "protected").unwrap_or_else(|| protected_names.contains(&d.name.name));
    if protected && (compute.min == 0 || compute.desired == 0) {
        let c = obj_of(o, "compute");
        let field = if compute.min == 0 { "min" } else { "desired" };
        let span = c.map_or(d.name.span, |c| span_of(c, field, d.name.span));
        ctx.push(
            Diagnostic::new(
                codes::PF5012,
                span,
                format!("the protected environment `{}` may run no instance", d.name.name),
            )
            .with_label(format!("{field} = 0"))
            .with_help(format!("keep at least one instance: `{field} = 1` (or 2, one per AZ)"))
            .with_fix(format!("write `{field} = 1`"), span, "1", Applicability::Unsafe),
        );
    }
    let database = obj_of(o, "database").and_then(|db| database(ctx, db, &d.name.name, network.as_ref(), o));
    let cache = obj_of(o, "cache").map(|c| cache(ctx, c));
    let dns = obj_of(o, "dns").map(|n| Dns {
        zone: str_of(n, "zone").unwrap_or_default().trim_end_matches('.').to_string(),
        name: str_of(n, "name").unwrap_or_default(),
        certificate: text_of(n, "certificate"),
    });
    let strategy = obj_of(o, "strategy").and_then(|s| strategy(ctx, s)).unwrap_or(Strategy::OneAtATime);
    let removes = |c: &&crate::check::value::ChildNode| bool_of(&c.obj, "remove") == Some(true);
    // A removal left after inheritance removed nothing (`merge` drops the ones that did).
    for c in o.children.iter().filter(|c| c.keyword == "alarm").filter(removes) {
        let name = c.label.as_ref().map_or("", |l| l.name.as_str());
        ctx.push(
            Diagnostic::new(codes::PF2065, span_of(&c.obj, "remove", c.span), format!("there is no inherited alarm `{name}` to remove"))
                .with_label("removes nothing")
                .with_help("`remove = true` removes an alarm of the environment or profile this one extends: check the alarm's name, or delete this block"),
        );
    }
    let alarms: Vec<Alarm> = o
        .children
        .iter()
        .filter(|c| c.keyword == "alarm" && !removes(c))
        .filter_map(|c| {
            require(ctx, &c.obj, &schema::ALARM, c.span).then_some(())?;
            alarm_rules(ctx, &c.obj);
            Some(Alarm {
                name: c.label.as_ref()?.name.clone(),
                metric: match enum_of(&c.obj, "metric")? {
                    "target_5xx" => Metric::Target5xx,
                    "elb_5xx" => Metric::Elb5xx,
                    "latency" => Metric::Latency,
                    "cpu" => Metric::Cpu,
                    "errors" => Metric::Errors,
                    _ => Metric::UnhealthyHosts,
                },
                threshold: int_of(&c.obj, "threshold")?,
                period_seconds: secs_of(&c.obj, "period").unwrap_or(60) as u32,
                evaluation_periods: int_of(&c.obj, "periods").unwrap_or(2) as u32,
            })
        })
        .collect();
    // An alarm declared with a mistake is reported once, where it is: not as missing as well.
    let declared: Vec<&str> = o
        .children
        .iter()
        .filter(|c| c.keyword == "alarm" && !removes(c))
        .filter_map(|c| c.label.as_ref())
        .map(|l| l.name.as_str())
        .collect();
    let rollback = rollback(ctx, obj_of(o, "rollback"), &alarms, &declared);
    let runtime = super::runtime::values(ctx, o);
    let placement = super::placement(ctx, o, project);
    if let (Some(region), Some(n), Some(net)) = (&placement.region, obj_of(o, "network"), network.as_ref()) {
        crate::check::placement::check_azs(ctx, net.azs, region, span_of(n, "azs", n.span));
    }
    if errors_since(ctx, mark) {
        return None;
    }
    Some(Env {
        name: d.name.name.clone(),
        protected,
        network: network?,
        compute,
        database,
        cache,
        dns,
        strategy,
        rollback,
        alarms,
        tags: strings_map(o, "tags"),
        runtime,
        placement,
    })
}

/// The ranges a VPC should take its addresses from: the private ranges of RFC 1918, which AWS
/// recommends (VPC User Guide, "VPC CIDR blocks"), and the shared address space of RFC 6598
/// (`100.64.0.0/10`), which is not routed on the internet either.
const PRIVATE_RANGES: [Cidr; 4] = [
    Cidr { addr: 10 << 24, prefix: 8 },
    Cidr { addr: (172 << 24) | (16 << 16), prefix: 12 },
    Cidr { addr: (192 << 24) | (168 << 16), prefix: 16 },
    Cidr { addr: (100 << 24) | (64 << 16), prefix: 10 },
];

/// PF5080: a VPC in a publicly routable range. AWS accepts it, but the addresses belong to
/// someone on the internet: the instances cannot reach those hosts (their traffic stays in the
/// VPC), and peering or a VPN with an on-premises network that routes them breaks. The fix keeps
/// the block's layout in `10.0.0.0/8`; it is offered when pf carves the subnets (written ones
/// would need the same change).
fn public_range(ctx: &mut Ctx, cidr: Cidr, span: Span, carved: bool) {
    if PRIVATE_RANGES.iter().any(|r| r.contains(cidr)) {
        return;
    }
    let private = Cidr { addr: (10 << 24) | (cidr.network() & 0x00ff_ffff), prefix: cidr.prefix };
    let mut d = Diagnostic::new(codes::PF5080, span, format!("`{cidr}` is a public address range"))
        .with_label("publicly routable")
        .with_help(format!(
            "use a private range (RFC 1918: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), such as `{private}`{}",
            if carved { "" } else { ", and move the subnets with it" }
        ))
        .with_note("hosts on the internet own these addresses: the VPC's instances cannot reach them, and a peering or VPN with a network that routes them breaks");
    if carved {
        d = d.with_fix(format!("replace with `{private}`"), span, private.to_string(), Applicability::Unsafe);
    }
    ctx.push(d);
}

fn network(ctx: &mut Ctx, n: &Obj, env: &Named) -> Option<Network> {
    if !require(ctx, n, &schema::NETWORK, n.span) {
        return None;
    }
    let cidr_span = span_of(n, "cidr", n.span);
    let cidr = match n.get("cidr").map(|i| &i.val) {
        Some(Val::Cidr(c)) => *c,
        _ => return None,
    };
    let azs = int_of(n, "azs").unwrap_or(2) as u8;
    // The load balancer and the subnet groups need subnets in two AZs, even when the instances
    // run in one: a network has at least two AZ slots.
    let slots = azs.max(2);
    let nat = match enum_of(n, "nat").unwrap_or("single") {
        "none" => Nat::None,
        "per_az" => Nat::PerAz,
        _ => Nat::Single,
    };
    let explicit = |name: &str| -> Option<(Vec<Cidr>, Span, Vec<Span>)> {
        match n.get(name) {
            Some(Item { val: Val::List(items), span }) => Some((
                items.iter().filter_map(|i| if let Val::Cidr(c) = i.val { Some(c) } else { None }).collect(),
                *span,
                items.iter().map(|i| i.span).collect(),
            )),
            _ => None,
        }
    };
    // Every subnet written, and whether pf carves them instead: a fix of the VPC block must
    // leave room for carved subnets (PF5003) and keep written ones inside.
    let written: Vec<(Cidr, Span)> = ["public", "private"]
        .into_iter()
        .filter_map(explicit)
        .flat_map(|(subnets, _, spans)| subnets.into_iter().zip(spans))
        .collect();
    let carved = n.get("public").is_none() && n.get("private").is_none();
    // Carved subnets: a public and a private one per AZ slot, in the smallest power of two.
    let bits = (2 * u32::from(slots)).next_power_of_two().trailing_zeros() as u8;
    let fits = |c: Cidr| (16..=28).contains(&c.prefix) && (!carved || c.prefix + bits <= 28);
    if !(16..=28).contains(&cidr.prefix) {
        // The nearest valid size at the same address: an unsafe guess, offered only when the
        // resized block is valid.
        let prefix = if cidr.prefix < 16 {
            16
        } else if carved {
            28u8.saturating_sub(bits).max(16)
        } else {
            28
        };
        let resized = Cidr { addr: Cidr { addr: cidr.addr, prefix }.network(), prefix };
        let mut d = Diagnostic::new(
            codes::PF5004,
            cidr_span,
            format!("a VPC block is /16 to /28; `{cidr}` is /{}", cidr.prefix),
        )
        .with_label("invalid VPC size");
        if fits(resized) && written.iter().all(|(s, _)| resized.contains(*s)) {
            d = d.with_help(format!("use a block from /16 to /28, such as `{resized}`")).with_fix(
                format!("replace with `{resized}`"),
                cidr_span,
                resized.to_string(),
                Applicability::Unsafe,
            );
        } else {
            d = d.with_help("use a block from /16 to /28, such as `10.0.0.0/16`");
        }
        ctx.push(d);
        return None;
    }
    if !cidr.is_aligned() {
        let fixed = Cidr { addr: cidr.network(), prefix: cidr.prefix };
        let mut d = Diagnostic::new(
            codes::PF5004,
            cidr_span,
            format!("`{cidr}` has host bits set; the block starts at `{fixed}`"),
        )
        .with_label("not a network address");
        // Written subnets are checked against the network address already; only the room for
        // carved subnets can make the aligned block invalid too (PF5003, reported below).
        if fits(fixed) {
            d = d.with_fix(
                format!("replace with `{fixed}`"),
                cidr_span,
                fixed.to_string(),
                Applicability::Safe,
            );
        }
        ctx.push(d);
    }
    public_range(ctx, cidr, cidr_span, carved);
    let (public, private) = match (explicit("public"), explicit("private")) {
        (None, None) => {
            let prefix = cidr.prefix + bits;
            if prefix > 28 {
                let why = if azs < slots {
                    " (a load balancer needs subnets in two AZs, even with `azs = 1`)"
                } else {
                    ""
                };
                ctx.push(
                    Diagnostic::new(
                        codes::PF5003,
                        cidr_span,
                        format!("`{cidr}` is too small for {slots} public and {slots} private subnets{why}"),
                    )
                    .with_label("too small")
                    .with_help(if azs < slots {
                        "use a larger block (a smaller prefix length)"
                    } else {
                        "use a larger block (a smaller prefix length) or fewer AZs"
                    }),
                );
                return None;
            }
            let size = 1u32 << (32 - prefix);
            let subnet = |i: u32| Cidr { addr: cidr.network() + i * size, prefix };
            let half = 1u32 << (bits - 1);
            let public = (0..u32::from(slots)).map(subnet).collect();
            let private = (0..u32::from(slots)).map(|i| subnet(half + i)).collect();
            (public, private)
        }
        (pub_list, priv_list) => {
            let mut ok = true;
            let mut all: Vec<(Cidr, Span)> = Vec::new();
            for (which, list) in [("public", &pub_list), ("private", &priv_list)] {
                let Some((subnets, span, spans)) = list else {
                    ctx.push(
                        Diagnostic::new(codes::PF5003, n.span, format!("`{which}` subnets are missing"))
                            .with_label("both or neither")
                            .with_help(
                                "give both `public` and `private` subnets, or neither to have pf carve them",
                            ),
                    );
                    ok = false;
                    continue;
                };
                // With one AZ, a second subnet (for the load balancer) may be given too.
                if subnets.len() != usize::from(azs) && !(azs == 1 && subnets.len() == 2) {
                    ctx.push(
                        Diagnostic::new(
                            codes::PF5003,
                            *span,
                            format!("{} {which} subnets for {azs} AZs", subnets.len()),
                        )
                        .with_label(if azs == 1 {
                            "expected 1 or 2".to_string()
                        } else {
                            format!("expected {azs}")
                        })
                        .with_help("give one subnet per availability zone"),
                    );
                    ok = false;
                }
                for (c, s) in subnets.iter().zip(spans) {
                    if !c.is_aligned() {
                        let fixed = Cidr { addr: c.network(), prefix: c.prefix };
                        let mut d = Diagnostic::new(
                            codes::PF5003,
                            *s,
                            format!("`{c}` has host bits set; the subnet starts at `{fixed}`"),
                        )
                        .with_label("not a network address");
                        // Safe only when the aligned subnet has no other problem; otherwise
                        // those are reported below, and the fix would lead straight to them.
                        let clash = written.iter().any(|(o, os)| os != s && o.overlaps(fixed));
                        if cidr.contains(fixed) && !clash {
                            d = d.with_fix(
                                format!("replace with `{fixed}`"),
                                *s,
                                fixed.to_string(),
                                Applicability::Safe,
                            );
                        }
                        ctx.push(d);
                        ok = false;
                    }
                    if !cidr.contains(*c) {
                        ctx.push(
                            Diagnostic::new(
                                codes::PF5003,
                                *s,
                                format!("the subnet `{c}` is outside the VPC block `{cidr}`"),
                            )
                            .with_label("outside the VPC")
                            .with_secondary(cidr_span, "the VPC block"),
                        );
                        ok = false;
                    }
                    if let Some((other, os)) = all.iter().find(|(o, _)| o.overlaps(*c)) {
                        ctx.push(
                            Diagnostic::new(
                                codes::PF5003,
                                *s,
                                format!("the subnet `{c}` overlaps `{other}`"),
                            )
                            .with_label("overlap")
                            .with_secondary(*os, "this subnet"),
                        );
                        ok = false;
                    }
                    all.push((*c, *s));
                }
            }
            if !ok {
                return None;
            }
            let (mut public, pub_span, _) = pub_list?;
            let (mut private, priv_span, _) = priv_list?;
            // One AZ and one subnet of a kind: the second AZ slot gets the first free block of
            // the VPC of the same size.
            for (which, list, span) in
                [("public", &mut public, pub_span), ("private", &mut private, priv_span)]
            {
                if list.len() >= usize::from(slots) {
                    continue;
                }
                let used: Vec<Cidr> = all.iter().map(|(c, _)| *c).collect();
                let size = list[0].prefix;
                match free_block(cidr, size, &used) {
                    Some(c) => {
                        list.push(c);
                        all.push((c, span));
                    }
                    None => {
                        ctx.push(
                            Diagnostic::new(
                                codes::PF5003,
                                span,
                                format!("`{cidr}` has no free /{size} block for a second {which} subnet"),
                            )
                            .with_label("one subnet, and no room for a second")
                            .with_secondary(cidr_span, "the VPC block")
                            .with_help(format!(
                                "a load balancer needs subnets in two AZs, even with `azs = 1`: use smaller subnets so pf can add a second one, or list two {which} subnets"
                            )),
                        );
                        ok = false;
                    }
                }
            }
            if !ok {
                return None;
            }
            (public, private)
        }
    };
    let _ = env;
    if !cidr.is_aligned() {
        return None;
    }
    Some(Network { cidr, azs, nat, public_subnets: public, private_subnets: private })
}

/// The first block of `/prefix` inside `within` that overlaps none of `used`.
fn free_block(within: Cidr, prefix: u8, used: &[Cidr]) -> Option<Cidr> {
    if prefix < within.prefix || prefix > 28 {
        return None;
    }
    let step = 1u64 << (32 - u32::from(prefix));
    let start = u64::from(within.network());
    let end = start + within.size();
    let mut addr = start;
    while addr < end {
        let c = Cidr { addr: addr as u32, prefix };
        if !used.iter().any(|u| u.overlaps(c)) {
            return Some(c);
        }
        addr += step;
    }
    None
}

/// Whether an instance type is a Graviton (arm64) type: `a1`, and the families with a `g` after
/// their first letter (`t4g`, `m7gd`, `im4gn`, `g5g`; not `g6` or `gr6`).
pub(super) fn graviton(instance: &str) -> bool {
    let family = instance.split('.').next().unwrap_or("");
    family == "a1" || family.get(1..).is_some_and(|rest| rest.contains('g'))
}

/// The instances. An inherited `desired` (written in a parent, not here) is a default like
/// "desired = min": when this environment changes `min` or `max`, it is moved into the new bounds
/// (`env uat : prod { compute { max = 2 } }` gets desired 2, not prod's 3).
fn compute(ctx: &mut Ctx, c: Option<&Obj>, own: Option<&Obj>, at: Span) -> Compute {
    let empty = Obj::empty(at);
    let c = c.unwrap_or(&empty);
    let instance = str_of(c, "instance").unwrap_or_else(|| "t3.micro".into());
    check_table(
        ctx,
        &instance,
        span_of(c, "instance", c.span),
        &stdlib::INSTANCE_TYPES,
        codes::PF5008,
        "EC2 instance type",
    );
    let min = int_of(c, "min").unwrap_or(1);
    let max = int_of(c, "max").unwrap_or(min.max(1));
    let inherited_desired = own.is_none_or(|o| o.get("desired").is_none());
    let bounds_here = own.is_some_and(|o| o.get("min").is_some() || o.get("max").is_some());
    let desired = match int_of(c, "desired") {
        Some(d) if inherited_desired && bounds_here && min <= max => d.clamp(min, max),
        Some(d) => d,
        None => min,
    };
    if !(min <= desired && desired <= max) {
        // Blame a field written in this environment's own file when one of the two in conflict is.
        let pair: [&str; 2] = if min > max {
            ["min", "max"]
        } else if desired > max {
            ["desired", "max"]
        } else {
            ["min", "desired"]
        };
        let written = |f: &str| c.get(f).is_some_and(|i| i.span.file == at.file);
        let field =
            pair.into_iter().find(|f| written(f)).or_else(|| pair.into_iter().find(|f| c.get(f).is_some()));
        let span = field.map_or(at, |f| span_of(c, f, at));
        ctx.push(
            Diagnostic::new(codes::PF5001, span, format!("capacity must be min <= desired <= max; here min = {min}, desired = {desired}, max = {max}"))
                .with_label("inconsistent capacity")
                .with_help("raise max or lower min/desired"),
        );
    }
    let (cpu, memory_mib) = fargate_size(ctx, c);
    Compute {
        cpu,
        memory_mib,
        arm: graviton(&instance),
        instance,
        min: min as u32,
        max: max as u32,
        desired: desired as u32,
        scale_on: match c.get("scale_on").map(|i| &i.val) {
            Some(Val::Scaling(s)) => *s,
            _ => Scaling::Cpu(70),
        },
        volume_gib: (mib_of(c, "volume").unwrap_or(20 * 1024) / 1024) as u32,
    }
}

/// Fargate's task sizes: CPU units, the smallest and largest memory (MiB) and its step
/// (aws-facts.md, "ECS and Lambda targets"). 256 units take 512 MiB, 1 GiB or 2 GiB only.
pub const FARGATE_SIZES: &[(u32, u32, u32, u32)] = &[
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// Whether Fargate runs a task of `cpu` units with `memory` MiB.
pub fn fargate_allows(cpu: u32, memory: u32) -> bool {
    FARGATE_SIZES.iter().any(|&(c, lo, hi, step)| {
        c == cpu
            && (lo..=hi).contains(&memory)
            && (memory - lo).is_multiple_of(step)
            && (c != 256 || memory != 1536)
    })
}

fn mib_text(m: u32) -> String {
    if m.is_multiple_of(1024) {
        format!("{}GB", m / 1024)
    } else {
        format!("{m}MB")
    }
}

/// The task size of `compute` (default 256 CPU units and 512 MiB), checked against Fargate's
/// sizes when either is written (PF2050).
fn fargate_size(ctx: &mut Ctx, c: &Obj) -> (u32, u32) {
    let cpu = int_of(c, "cpu").unwrap_or(256) as u32;
    let memory = mib_of(c, "memory").unwrap_or(512) as u32;
    let written = c.get("cpu").is_some() || c.get("memory").is_some();
    if !written || fargate_allows(cpu, memory) {
        return (cpu, memory);
    }
    let (field, label, help) = match FARGATE_SIZES.iter().find(|s| s.0 == cpu) {
        Some(_) if cpu == 256 => (
            "memory",
            "not a size Fargate gives 256 CPU units",
            "with cpu = 256, memory is 512MB, 1GB or 2GB".to_string(),
        ),
        Some(&(_, lo, hi, step)) => (
            "memory",
            "not a size Fargate gives this cpu",
            format!(
                "with cpu = {cpu}, memory is {} to {} in steps of {}",
                mib_text(lo),
                mib_text(hi),
                mib_text(step)
            ),
        ),
        None => (
            "cpu",
            "not a Fargate CPU size",
            "cpu is one of 256, 512, 1024, 2048, 4096, 8192 or 16384".to_string(),
        ),
    };
    let field = if c.get(field).is_some() {
        field
    } else if field == "memory" {
        "cpu"
    } else {
        "memory"
    };
    ctx.push(
        Diagnostic::new(
            codes::PF2050,
            span_of(c, field, c.span),
            format!("Fargate has no task of {cpu} CPU units with {}", mib_text(memory)),
        )
        .with_label(label)
        .with_help(help),
    );
    (cpu, memory)
}

/// Checks a value against a table of the standard library, with did-you-mean.
pub(super) fn check_table(
    ctx: &mut Ctx,
    value: &str,
    span: Span,
    table: &'static stdlib::Table,
    code: crate::diagnostic::Code,
    what: &str,
) {
    if table.contains(value) {
        return;
    }
    let table = table.values();
    let mut d =
        Diagnostic::new(code, span, format!("`{value}` is not a known {what}")).with_label("unknown type");
    if let Some(s) = did_you_mean(value, table.iter().copied()) {
        d = d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            span,
            format!("\"{s}\""),
            Applicability::Safe,
        );
    } else {
        d = d.with_help("the known types are listed in stdlib/tables; add a new type there if AWS offers it");
    }
    ctx.push(d);
}

fn database(
    ctx: &mut Ctx,
    db: &Obj,
    env: &str,
    network: Option<&Network>,
    env_obj: &Obj,
) -> Option<Database> {
    let engine = match db.kind.as_ref()?.name.as_str() {
        "mysql" => Engine::Mysql,
        "mariadb" => Engine::MariaDb,
        _ => Engine::Postgres,
    };
    let class = str_of(db, "class").unwrap_or_else(|| "db.t4g.micro".into());
    check_table(
        ctx,
        &class,
        span_of(db, "class", db.span),
        &stdlib::DB_CLASSES,
        codes::PF5009,
        "RDS instance class",
    );
    let engine_name = db.kind.as_ref().map_or("postgres", |k| k.name.as_str());
    if let Some(version) = str_of(db, "version") {
        check_version(ctx, engine_name, &version, span_of(db, "version", db.span));
    }
    for field in ["username", "name"] {
        if let Some(value) = str_of(db, field) {
            if let Err(invalid) = rds_name(engine_name, field, &value) {
                ctx.push(invalid.diagnostic(span_of(db, field, db.span)));
            }
        }
    }
    let multi_az = bool_of(db, "multi_az").unwrap_or(false);
    if let (true, Some(n)) = (multi_az, network) {
        if n.azs < 2 {
            let net_span = obj_of(env_obj, "network").map_or(db.span, |o| span_of(o, "azs", o.span));
            ctx.push(
                Diagnostic::new(
                    codes::PF5002,
                    span_of(db, "multi_az", db.span),
                    "a multi-AZ database needs at least two AZs",
                )
                .with_label("multi-AZ")
                .with_secondary(net_span, format!("the network has {} AZ", n.azs))
                .with_help("set `network { azs = 2 }` or more, or `multi_az = false`"),
            );
        }
    }
    let backup = secs_of(db, "backup").unwrap_or(7 * 86_400);
    if !backup.is_multiple_of(86_400) {
        ctx.push({
            let days = ((backup + 43_200) / 86_400).clamp(1, 35);
            let span = span_of(db, "backup", db.span);
            Diagnostic::new(codes::PF2002, span, "backups are kept for whole days")
                .with_label("not whole days")
                .with_help(format!("RDS keeps backups for whole days: write `{days}d`"))
                .with_fix(format!("write `{days}d`"), span, format!("{days}d"), Applicability::Unsafe)
        });
    }
    let password = text_of(db, "password");
    if let Some(crate::ir::Text::Plain(_)) = &password {
        let span = span_of(db, "password", db.span);
        let id = format!("{env}/db");
        ctx.push(
            Diagnostic::new(codes::PF6001, span, "a database password must not be written in plain text")
                .with_label("plain-text secret")
                .with_help("store it in Secrets Manager and write `secret(\"...\")`, or leave `password` out so RDS manages it")
                .with_fix("use a Secrets Manager reference", span, format!("secret(\"{id}\")"), Applicability::Unsafe),
        );
    }
    Some(Database {
        engine,
        version: str_of(db, "version").unwrap_or_else(|| match engine {
            Engine::Postgres => "16".into(),
            Engine::Mysql => "8.0".into(),
            Engine::MariaDb => "10.11".into(),
        }),
        class,
        storage_gib: (mib_of(db, "storage").unwrap_or(20 * 1024) / 1024) as u32,
        multi_az,
        backup_days: (backup / 86_400) as u32,
        username: str_of(db, "username").unwrap_or_else(|| "app".into()),
        password,
        name: str_of(db, "name").unwrap_or_else(|| "app".into()),
    })
}

fn cache(ctx: &mut Ctx, c: &Obj) -> Cache {
    let node = str_of(c, "node").unwrap_or_else(|| "cache.t4g.micro".into());
    check_table(
        ctx,
        &node,
        span_of(c, "node", c.span),
        &stdlib::CACHE_NODES,
        codes::PF5009,
        "ElastiCache node type",
    );
    if let Some(version) = str_of(c, "version") {
        check_version(ctx, "redis", &version, span_of(c, "version", c.span));
    }
    Cache {
        node,
        nodes: int_of(c, "nodes").unwrap_or(1) as u32,
        version: str_of(c, "version").unwrap_or_else(|| "7.1".into()),
    }
}

fn percent_of(obj: &Obj, name: &str) -> Option<u32> {
    match obj.get(name).map(|i| &i.val) {
        Some(Val::Percent(p)) => Some(*p),
        _ => None,
    }
}

fn strategy(ctx: &mut Ctx, s: &Obj) -> Option<Strategy> {
    let kind = s.kind.as_ref()?;
    let secs = |name: &str, default: u64| secs_of(s, name).unwrap_or(default) as u32;
    match kind.name.as_str() {
        "rolling" => {
            let min_healthy = percent_of(s, "min_healthy").unwrap_or(100);
            let max_healthy = percent_of(s, "max_healthy").unwrap_or(150);
            if max_healthy > min_healthy + 100 {
                let field = if s.get("max_healthy").is_some() { "max_healthy" } else { "min_healthy" };
                let span = span_of(s, field, kind.span);
                ctx.push(
                    Diagnostic::new(codes::PF5052, span, format!("an instance refresh keeps max_healthy at most 100 points above min_healthy; here {max_healthy}% and {min_healthy}%"))
                        .with_label("more than 100 points apart")
                        .with_help(format!("Auto Scaling rejects the refresh: raise `min_healthy` to {}% or lower `max_healthy` to {}%", max_healthy - 100, min_healthy + 100)),
                );
                return None;
            }
            Some(Strategy::Rolling(Rolling {
                min_healthy,
                max_healthy,
                warmup_seconds: secs("warmup", 300),
                checkpoint: percent_of(s, "checkpoint"),
                checkpoint_wait_seconds: secs("checkpoint_wait", 600),
                bake_seconds: secs("bake", 300),
                skip_matching: bool_of(s, "skip_matching").unwrap_or(true),
            }))
        }
        "blue_green" => {
            let percent = percent_of(s, "percent").unwrap_or(10);
            let wait_seconds = secs("wait", 600);
            let shift = match enum_of(s, "shift").unwrap_or("all_at_once") {
                "canary" => Shift::Canary { percent, wait_seconds },
                "linear" => Shift::Linear { percent, wait_seconds },
                _ => Shift::AllAtOnce,
            };
            // A linear step's minimum is the deploy target's: `check::target_fields`.
            Some(Strategy::BlueGreen(BlueGreen { shift, bake_seconds: secs("bake", 1800) }))
        }
        _ => {
            match s.get("min_healthy").map(|i| &i.val) {
                Some(Val::Percent(p)) => return Some(Strategy::MinHealthyPercent(*p)),
                Some(Val::Int(n)) => return Some(Strategy::MinHealthyHosts(*n as u32)),
                _ => {}
            }
            Some(match enum_of(s, "batch").unwrap_or("one_at_a_time") {
                "all_at_once" => Strategy::AllAtOnce,
                "half_at_a_time" => Strategy::HalfAtATime,
                _ => Strategy::OneAtATime,
            })
        }
    }
}

fn rollback(ctx: &mut Ctx, r: Option<&Obj>, alarms: &[Alarm], declared: &[&str]) -> Rollback {
    let Some(r) = r else { return Rollback { on_failure: true, on_alarms: Vec::new() } };
    let mut on_alarms = Vec::new();
    if let Some(Val::List(items)) = r.get("on_alarms").map(|i| &i.val) {
        for i in items {
            if let Val::Ref(name) = &i.val {
                if alarms.iter().any(|a| &a.name == name) {
                    on_alarms.push(name.clone());
                } else if !declared.contains(&name.as_str()) {
                    let named = Named { name: name.clone(), span: i.span };
                    ctx.push(unknown_reference(
                        &named,
                        "alarm in this environment",
                        &["alarm"],
                        alarms.iter().map(|a| a.name.as_str()),
                    ));
                }
            }
        }
    }
    Rollback { on_failure: bool_of(r, "on_failure").unwrap_or(true), on_alarms }
}

/// CloudWatch's rules for an alarm (CloudWatch API reference, `PutMetricAlarm`): the period is
/// 10 s, 30 s or a multiple of 60 s, and period times evaluation periods is at most one day;
/// CPU utilization is a percentage.
fn alarm_rules(ctx: &mut Ctx, a: &Obj) {
    if let Some(period) = secs_of(a, "period") {
        if period != 10 && period != 30 && !period.is_multiple_of(60) {
            let nearest = if period < 20 {
                "10s".to_string()
            } else if period < 45 {
                "30s".to_string()
            } else {
                format!("{}m", (period + 30) / 60)
            };
            let span = span_of(a, "period", a.span);
            ctx.push(
                Diagnostic::new(
                    codes::PF2002,
                    span,
                    format!("CloudWatch does not evaluate alarms every {period}s"),
                )
                .with_label("not 10s, 30s or whole minutes")
                .with_help(format!("the period is 10s, 30s or a multiple of 60s: write `{nearest}`"))
                .with_fix(format!("write `{nearest}`"), span, nearest, Applicability::Unsafe),
            );
        }
        let periods = int_of(a, "periods").unwrap_or(2) as u64;
        if period * periods > 86_400 {
            ctx.push(
                Diagnostic::new(codes::PF2002, span_of(a, "periods", span_of(a, "period", a.span)), format!("{periods} periods of {period}s are more than a day"))
                    .with_label("longer than 1d")
                    .with_help("CloudWatch evaluates at most one day: lower `periods` or `period` (their product is at most 1d)"),
            );
        }
    }
    if enum_of(a, "metric") == Some("cpu") {
        if let Some(t) = int_of(a, "threshold").filter(|t| *t > 100) {
            let span = span_of(a, "threshold", a.span);
            ctx.push(
                Diagnostic::new(
                    codes::PF2002,
                    span,
                    format!("CPU utilization never exceeds 100%, so `{t}` never fires"),
                )
                .with_label("allowed: 0 to 100")
                .with_help("the cpu threshold is a percentage from 0 to 100")
                .with_fix("write `100`", span, "100", Applicability::Unsafe),
            );
        }
    }
}

/// Reports an engine version RDS or ElastiCache does not create (PF5011).
fn check_version(ctx: &mut Ctx, engine: &str, version: &str, span: Span) {
    use crate::check::validate::versions;
    if versions::known(engine, version) {
        return;
    }
    let majors = versions::majors(engine);
    let mut d =
        Diagnostic::new(codes::PF5011, span, format!("`{version}` is not a {engine} version pf knows"))
            .with_label("unknown version")
            .with_help(format!(
                "{engine} versions AWS creates: {} (or a minor version of one, e.g. `{}.1`)",
                majors.join(", "),
                majors.last().copied().unwrap_or("")
            ));
    if let Some(n) = versions::nearest(engine, version) {
        d = d.with_fix(format!("write `{n}`"), span, format!("\"{n}\""), Applicability::Unsafe);
    }
    ctx.push(d);
}

/// RDS's rules for the master user name and the initial database name (RDS API reference,
/// `CreateDBInstance`: `MasterUsername` 1 to 16 (MariaDB), 32 (MySQL) or 63 (PostgreSQL)
/// letters, digits and `_`, starting with a letter, not a reserved name such as `rdsadmin`;
/// `DBName` 1 to 63 (PostgreSQL) or 64 letters, digits and `_`, starting with a letter).
fn rds_name(engine: &str, field: &str, value: &str) -> Result<(), crate::check::validate::Invalid> {
    use crate::check::validate::Invalid;
    let max = match (field, engine) {
        ("username", "mariadb") => 16,
        ("username", "mysql") => 32,
        ("name", "mysql" | "mariadb") => 64,
        _ => 63,
    };
    let what = if field == "username" { "master user name" } else { "database name" };
    let default = "app";
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let fixed: String = value.chars().map(|c| if ok(c) { c } else { '_' }).take(max).collect();
    let fixed = fixed.trim_start_matches(|c: char| !c.is_ascii_alphabetic()).to_string();
    let fix = |why: String| {
        let f = if fixed.is_empty() || fixed == "rdsadmin" { default.to_string() } else { fixed.clone() };
        Err(Invalid::name(
            format!("`{value}` is not a valid {engine} {what}"),
            format!("{why}: write `{f}`"),
            Some(f),
        ))
    };
    if value.is_empty() || value.len() > max {
        return fix(format!("a {what} is 1 to {max} characters"));
    }
    if !value.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return fix(format!("a {what} starts with a letter"));
    }
    if !value.chars().all(ok) {
        return fix(format!("a {what} is letters, digits and `_`"));
    }
    if field == "username" && value.eq_ignore_ascii_case("rdsadmin") {
        return fix("RDS reserves `rdsadmin` for itself".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::graviton;

    /// The Graviton families of the instance-type table, read from it by hand: those
    /// aws/aws-graviton-getting-started lists (C6g[d], M6g[d], R6g[d], T4g, X2gd, C6gn, I4g, Im4gn,
    /// Is4gen, G5g, C7g[d][n], M7g[d], R7g[d], R8g), `a1` (aws-cdk's InstanceClass: "Arm processor
    /// based instances, 1st generation") and later families named by EC2's convention (`g` after
    /// the generation: AWS Graviton). Any other family gets the x86_64 AMI.
    #[test]
    fn graviton_families_of_the_table_get_the_arm64_ami() {
        const GRAVITON: &[&str] = &[
            "a1", "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gb", "c8gd", "c8gn", "c9g", "c9gd",
            "g5g", "hpc7g", "i4g", "i8g", "i8ge", "im4gn", "is4gen", "m6g", "m6gd", "m7g", "m7gd", "m8g",
            "m8gb", "m8gd", "m8gn", "m9g", "m9gd", "r6g", "r6gd", "r7g", "r7gd", "r8g", "r8gb", "r8gd",
            "r8gn", "r9g", "r9gd", "t4g", "x2gd", "x8g",
        ];
        let mut arm: Vec<&str> = crate::stdlib::instance_types()
            .iter()
            .filter(|t| graviton(t))
            .map(|t| t.split('.').next().unwrap())
            .collect();
        arm.dedup();
        arm.sort();
        assert_eq!(arm, GRAVITON);
        assert!(!graviton("g6.xlarge") && !graviton("gr6.4xlarge") && !graviton("t3.micro"));
    }
}
