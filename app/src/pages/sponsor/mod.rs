//! The sponsor's space (`/commanditaire`): the structures a manager
//! manages, and seed 004's two actions, step by step.

mod home;
mod wizard;

pub use home::SponsorHomePage;
pub use wizard::{ActivatePage, DeactivatePage};
