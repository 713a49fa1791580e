//! How each environment of the app's one template releases (`ir::ReleaseKind`): the `Release`
//! parameter and its conditions when environments differ, and the blue/green parameters: which
//! colour is live on which AMI, and the new colour's share of the traffic. The pipeline sets
//! them in each stack update of a release (docs/blue-green.md).

use crate::codegen::infra::{equals, r, Ctx, Template, Values};
use crate::codegen::json::json;
use crate::ir::{Env, ReleaseKind};
use serde_json::Value;

/// The release kinds of the app's environments, sorted, each once.
pub fn kinds(ctx: &Ctx) -> Vec<ReleaseKind> {
    let mut out: Vec<ReleaseKind> = ctx.envs.iter().map(|e| e.strategy.kind()).collect();
    out.sort();
    out.dedup();
    out
}

/// Whether resources of `kind` exist: `None` when no environment releases that way,
/// `Some(None)` when all do (unconditional), `Some(Some(condition))` otherwise.
pub fn condition(ctx: &Ctx, kind: ReleaseKind) -> Option<Option<&'static str>> {
    let all = kinds(ctx);
    if !all.contains(&kind) {
        None
    } else if all.len() == 1 {
        Some(None)
    } else {
        Some(Some(condition_name(kind)))
    }
}

fn condition_name(kind: ReleaseKind) -> &'static str {
    match kind {
        ReleaseKind::InPlace => "InPlaceRelease",
        ReleaseKind::Rolling => "RollingRelease",
        ReleaseKind::BlueGreen => "BlueGreenRelease",
    }
}

/// `then` where environments release as `kind`, `otherwise` elsewhere.
pub fn when(ctx: &Ctx, kind: ReleaseKind, then: Value, otherwise: Value) -> Value {
    match condition(ctx, kind) {
        None => otherwise,
        Some(None) => then,
        Some(Some(c)) => crate::codegen::infra::iff(c, then, otherwise),
    }
}

/// Whether some environment releases blue/green.
pub fn blue_green(ctx: &Ctx) -> bool {
    condition(ctx, ReleaseKind::BlueGreen).is_some()
}

/// The parameter names the pipeline sets in each stack update of a blue/green release.
pub const LIVE_COLOUR: &str = "LiveColour";
pub const LIVE_IMAGE: &str = "LiveImageId";
pub const NEW_WEIGHT: &str = "NewWeight";
pub const OLD_WEIGHT: &str = "OldWeight";
pub const NEW_ACTIVE: &str = "NewActive";

pub fn add(ctx: &Ctx, t: &mut Template) {
    let all = kinds(ctx);
    if all.len() > 1 {
        let names: Vec<&str> = all.iter().map(|k| k.name()).collect();
        t.param(
            "Release",
            json!({"Type": "String", "AllowedValues": names,
                   "Description": "How a new version reaches this environment: in_place (CodeDeploy), rolling (instance refresh) or blue_green (a second fleet)."}),
        );
        // Rolling has no resources of its own (every group has the refresh policy).
        for k in all.iter().filter(|k| **k != ReleaseKind::Rolling) {
            t.condition(condition_name(*k), equals("Release", k.name()));
        }
    }
    if !blue_green(ctx) {
        return;
    }
    t.param(
        LIVE_COLOUR,
        json!({"Type": "String", "AllowedValues": ["blue", "green"], "Default": "blue",
               "Description": "The colour serving the release that is live (set by the pipeline)."}),
    );
    t.param(
        LIVE_IMAGE,
        json!({"Type": "AWS::EC2::Image::Id",
               "Description": "The AMI of the live colour (passed by the pipeline; ImageId is the new colour's). Environments that do not release blue/green get the run's AMI."}),
    );
    t.param(
        NEW_WEIGHT,
        json!({"Type": "Number", "MinValue": 0, "MaxValue": 100, "Default": 0,
               "Description": "The new colour's share of the traffic, percent."}),
    );
    t.param(
        OLD_WEIGHT,
        json!({"Type": "Number", "MinValue": 0, "MaxValue": 100, "Default": 100,
               "Description": "The live colour's share of the traffic, percent (100 - NewWeight)."}),
    );
    t.param(
        NEW_ACTIVE,
        json!({"Type": "String", "AllowedValues": ["true", "false"], "Default": "false",
               "Description": "Whether the new colour runs (during a release) or is scaled to zero."}),
    );
    t.condition("BlueIsLive", equals(LIVE_COLOUR, "blue"));
    t.condition("NewColourActive", equals(NEW_ACTIVE, "true"));
}

pub fn values(ctx: &Ctx, env: &Env, v: &mut Values) {
    if kinds(ctx).len() > 1 {
        v.push(("Release".into(), env.strategy.kind().name().into()));
    }
}

/// A blue/green colour: its resources' logical-ID suffix (blue keeps the single fleet's IDs).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Blue,
    Green,
}

impl Colour {
    pub fn suffix(self) -> &'static str {
        match self {
            Colour::Blue => "",
            Colour::Green => "Green",
        }
    }

    /// `live` when this colour serves the live release, `new` when it is the new colour.
    pub fn pick(self, live: Value, new: Value) -> Value {
        let (blue, green) = match self {
            Colour::Blue => (live, new),
            Colour::Green => (new, live),
        };
        crate::codegen::infra::iff("BlueIsLive", blue, green)
    }

    /// The colour's group size: `size` when live or active, else 0.
    pub fn size(self, size: &str) -> Value {
        self.pick(r(size), crate::codegen::infra::iff("NewColourActive", r(size), json!(0)))
    }

    /// The colour's weight on the listener.
    pub fn weight(self) -> Value {
        self.pick(r(OLD_WEIGHT), r(NEW_WEIGHT))
    }

    /// The colour's AMI: the live image, or the run's `ImageId`.
    pub fn image(self) -> Value {
        self.pick(r(LIVE_IMAGE), r("ImageId"))
    }

    /// A logical ID of this colour: `AutoScalingGroup`, `AutoScalingGroupGreen`.
    pub fn id(self, base: &str) -> String {
        format!("{base}{}", self.suffix())
    }
}
