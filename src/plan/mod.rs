//! Planning: the route between versions and the steps each leg runs.

mod route;
mod steps;

pub use route::{plan_route, resolve_target, Leg, Route, RouteError};
pub use steps::{steps_for, Step, StepKind};
