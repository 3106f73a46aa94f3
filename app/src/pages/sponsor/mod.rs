//! The sponsor's space (`/commanditaire`): the structures a manager
//! manages, seed 004's two actions step by step, and their orders; and the
//! public shop (`/boutique`, `/panier`, `/caisse`) where orders start.

mod home;
mod orders;
mod shop;
mod way;
mod wizard;

pub use home::SponsorHomePage;
pub use orders::{MyOrdersPage, OrderDetail, OrderPage, OrderTable};
pub use shop::{CartPage, CataloguePage, CheckoutPage};
pub use wizard::{ActivatePage, DeactivatePage};
