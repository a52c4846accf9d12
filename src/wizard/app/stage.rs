//! The screens after the setup ones exist only in order: a plan, then the run of
//! that plan, then its result. One enum holds whichever stage the wizard is at, so
//! no combination of them that cannot happen can be represented.

use crate::wizard::screens::plan::PlanScreen;
use crate::wizard::screens::progress::ProgressScreen;
use crate::wizard::screens::result::ResultScreen;

pub enum Stage {
    /// No plan yet: Welcome to Database.
    Setup,
    /// A plan on screen, not started.
    Planned(PlanScreen),
    Running(ProgressScreen),
    Ended {
        progress: ProgressScreen,
        result: ResultScreen,
    },
}

impl Stage {
    pub fn plan(&self) -> Option<&PlanScreen> {
        match self {
            Stage::Planned(p) => Some(p),
            _ => None,
        }
    }

    pub fn plan_mut(&mut self) -> Option<&mut PlanScreen> {
        match self {
            Stage::Planned(p) => Some(p),
            _ => None,
        }
    }

    pub fn progress(&self) -> Option<&ProgressScreen> {
        match self {
            Stage::Running(p) | Stage::Ended { progress: p, .. } => Some(p),
            _ => None,
        }
    }

    pub fn progress_mut(&mut self) -> Option<&mut ProgressScreen> {
        match self {
            Stage::Running(p) | Stage::Ended { progress: p, .. } => Some(p),
            _ => None,
        }
    }

    pub fn result(&self) -> Option<&ResultScreen> {
        match self {
            Stage::Ended { result, .. } => Some(result),
            _ => None,
        }
    }

    pub fn result_mut(&mut self) -> Option<&mut ResultScreen> {
        match self {
            Stage::Ended { result, .. } => Some(result),
            _ => None,
        }
    }

    /// The run reported its end: Running becomes Ended; any other stage is left.
    pub fn end(&mut self, result: ResultScreen) {
        if let Stage::Running(_) = self {
            let Stage::Running(progress) = std::mem::replace(self, Stage::Setup) else {
                return;
            };
            *self = Stage::Ended { progress, result };
        }
    }
}
