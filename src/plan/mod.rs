//! Planning: the route between versions and the steps each leg runs.

mod route;
mod step_key;
mod steps;

pub use route::{plan_route, resolve_target, Leg, Route, RouteError};
pub use step_key::{BadStepKey, KeyOf, LegPart, StepKey};
pub use steps::{steps_for, Step, StepKind};
