//! A second implementation of the seed's greeter world (`example:greeter@1.0.0`): the
//! same interface, terser words. It stands in for `greeter` when a running linked
//! application has one member replaced (`weft serve compose.toml --watch`), so the swap
//! shows in the answers.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/greeter",
        world: "example:greeter/greeter@1.0.0",
    });
}

use bindings::example::greeter::logging;
use bindings::exports::example::greeter::greeting::{Guest, Person};

/// The component's export implementation.
struct TerseGreeter;

/// `logging::log` level for the per-call messages (debug), as in `greeter`.
const LOG_LEVEL: u8 = 1;

impl Guest for TerseGreeter {
    fn greet(person: Person) -> String {
        logging::log(LOG_LEVEL, &format!("Greeting {}", person.name));
        match person.title {
            Some(title) => format!("Hi, {title} {}.", person.name),
            None => format!("Hi, {}.", person.name),
        }
    }

    fn farewell(person: Person) -> String {
        logging::log(LOG_LEVEL, &format!("Farewell {}", person.name));
        format!("Bye, {}.", person.name)
    }
}

bindings::export!(TerseGreeter with_types_in bindings);
