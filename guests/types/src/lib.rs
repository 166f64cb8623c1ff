//! The types test component (`weft:types@0.1.0`): one echo per WIT type family and their
//! nesting, a few functions that compute, and a `counter` resource whose constructions and
//! destructions are counted, so hosts can test values and resource lifetimes end to end.

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "weft:types/types@0.1.0",
    });
}

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU32, Ordering};

use bindings::exports::weft::types::echo::{
    Color, Counter, CounterBorrow, Guest, GuestCounter, Permissions, Person, Point, Shape,
};

/// The component's export implementation.
struct TypesComponent;

/// Counters constructed in this instance (atomics only to avoid `static mut`; the instance
/// is single-threaded).
static CONSTRUCTED: AtomicU32 = AtomicU32::new(0);
/// Counter destructors run in this instance.
static DROPPED: AtomicU32 = AtomicU32::new(0);

/// The Rust side of the `counter` resource.
struct CounterImpl {
    name: RefCell<String>,
    value: Cell<u64>,
}

impl CounterImpl {
    /// A counter that is counted as constructed.
    fn with_value(name: String, value: u64) -> Self {
        CONSTRUCTED.fetch_add(1, Ordering::Relaxed);
        Self {
            name: RefCell::new(name),
            value: Cell::new(value),
        }
    }
}

impl Drop for CounterImpl {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

impl GuestCounter for CounterImpl {
    fn new(name: String) -> Self {
        Self::with_value(name, 0)
    }

    fn increment(&self, by: u32) -> u64 {
        let value = self.value.get().wrapping_add(u64::from(by));
        self.value.set(value);
        value
    }

    fn get(&self) -> u64 {
        self.value.get()
    }

    fn name(&self) -> String {
        self.name.borrow().clone()
    }

    fn merge(a: CounterBorrow<'_>, b: CounterBorrow<'_>) -> Counter {
        let a = a.get::<CounterImpl>();
        let b = b.get::<CounterImpl>();
        let name = format!("{}+{}", a.name.borrow(), b.name.borrow());
        Counter::new(CounterImpl::with_value(
            name,
            a.value.get().wrapping_add(b.value.get()),
        ))
    }

    fn drops() -> u32 {
        DROPPED.load(Ordering::Relaxed)
    }

    fn live() -> u32 {
        CONSTRUCTED.load(Ordering::Relaxed) - DROPPED.load(Ordering::Relaxed)
    }
}

/// The area of a polygon by the shoelace formula (zero for fewer than three points).
fn shoelace(points: &[Point]) -> f64 {
    let n = points.len();
    let twice: f64 = (0..n)
        .map(|i| {
            let (p, q) = (points[i], points[(i + 1) % n]);
            f64::from(p.x) * f64::from(q.y) - f64::from(q.x) * f64::from(p.y)
        })
        .sum();
    (twice / 2.0).abs()
}

impl Guest for TypesComponent {
    type Counter = CounterImpl;

    fn echo_bool(x: bool) -> bool {
        x
    }
    fn echo_u8(x: u8) -> u8 {
        x
    }
    fn echo_u16(x: u16) -> u16 {
        x
    }
    fn echo_u32(x: u32) -> u32 {
        x
    }
    fn echo_u64(x: u64) -> u64 {
        x
    }
    fn echo_s8(x: i8) -> i8 {
        x
    }
    fn echo_s16(x: i16) -> i16 {
        x
    }
    fn echo_s32(x: i32) -> i32 {
        x
    }
    fn echo_s64(x: i64) -> i64 {
        x
    }
    fn echo_f32(x: f32) -> f32 {
        x
    }
    fn echo_f64(x: f64) -> f64 {
        x
    }
    fn echo_char(x: char) -> char {
        x
    }
    fn echo_string(x: String) -> String {
        x
    }
    fn echo_bytes(x: Vec<u8>) -> Vec<u8> {
        x
    }
    fn echo_list(x: Vec<Person>) -> Vec<Person> {
        x
    }
    fn echo_record(x: Person) -> Person {
        x
    }
    fn echo_point(x: Point) -> Point {
        x
    }
    fn echo_tuple(x: (u8, String, f64)) -> (u8, String, f64) {
        x
    }
    fn echo_variant(x: Shape) -> Shape {
        x
    }
    fn echo_enum(x: Color) -> Color {
        x
    }
    fn echo_flags(x: Permissions) -> Permissions {
        x
    }
    fn echo_option(x: Option<String>) -> Option<String> {
        x
    }
    fn echo_nested_option(x: Option<Option<u32>>) -> Option<Option<u32>> {
        x
    }
    fn echo_result(x: Result<String, u32>) -> Result<String, u32> {
        x
    }
    fn echo_result_ok_only(x: Result<u32, ()>) -> Result<u32, ()> {
        x
    }
    fn echo_result_err_only(x: Result<(), String>) -> Result<(), String> {
        x
    }
    fn echo_result_empty(x: Result<(), ()>) -> Result<(), ()> {
        x
    }
    fn echo_nested(x: Vec<Option<(Color, Permissions)>>) -> Vec<Option<(Color, Permissions)>> {
        x
    }

    fn bytes_len(x: Vec<u8>) -> u64 {
        x.len() as u64
    }

    fn make_bytes(len: u32) -> Vec<u8> {
        // 251 is prime, so the pattern does not line up with powers of two and a host
        // that drops or reorders a chunk is caught.
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn char_count(s: String) -> u32 {
        s.chars().count() as u32
    }

    fn area(s: Shape) -> f64 {
        match s {
            Shape::Circle(r) => std::f64::consts::PI * r * r,
            Shape::Rectangle((w, h)) => w * h,
            Shape::Polygon(points) => shoelace(&points),
            Shape::Empty => 0.0,
        }
    }

    fn nothing() {}

    fn consume(c: Counter) -> u64 {
        // Taking the value out releases the handle; dropping it runs the destructor here.
        let counter = c.into_inner::<CounterImpl>();
        counter.value.get()
    }
}

bindings::export!(TypesComponent with_types_in bindings);
