//! The seed's greeter component (`example:greeter@1.0.0`, world `greeter`).
//!
//! It exports `greeting` and logs each call through the imported `logging` interface,
//! which a host provides directly or the `logger` guest provides after composition.

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/greeter",
        world: "example:greeter/greeter@1.0.0",
    });
}

use bindings::example::greeter::logging;
use bindings::exports::example::greeter::greeting::{Guest, Person};

/// The component's export implementation.
struct GreeterComponent;

/// `logging::log` level for the per-call messages (debug), as in the seed.
const LOG_LEVEL: u8 = 1;

impl Guest for GreeterComponent {
    fn greet(person: Person) -> String {
        logging::log(LOG_LEVEL, &format!("Greeting {}", person.name));
        match person.title {
            Some(title) => format!("Hello, {} {}! Welcome aboard.", title, person.name),
            None => format!("Hello, {}! Welcome aboard.", person.name),
        }
    }

    fn farewell(person: Person) -> String {
        logging::log(LOG_LEVEL, &format!("Farewell {}", person.name));
        format!("Goodbye, {}! See you next time.", person.name)
    }
}

bindings::export!(GreeterComponent with_types_in bindings);
