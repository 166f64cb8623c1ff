//! Async calls: async-lifted exports (component-model async) from sync and async
//! sessions, async host imports on tokio, and deadlines that also bound the time a call
//! waits on the host.

mod common;

use std::time::Duration;

use weft_runtime::{CallError, Capabilities, Imports, Limits, Output, TrapKind, Val};

fn quiet() -> Capabilities {
    Capabilities {
        stdout: Output::Capture,
        stderr: Output::Capture,
        ..Capabilities::default()
    }
}

/// `host-clock.sleep-ms` on tokio's timer.
fn async_clock() -> Imports {
    Imports::new()
        .asynchronous()
        .func_async("weft:async-types/host-clock#sleep-ms", |params| {
            let ms = match params.as_slice() {
                [Val::U32(ms)] => u64::from(*ms),
                _ => 0,
            };
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(Vec::new())
            })
        })
}

#[test]
fn a_sync_session_calls_async_lifted_exports() {
    let prepared = common::runtime()
        .prepare(&common::load("async-exports"), &Imports::new())
        .unwrap();
    let mut session = prepared
        .instantiate_with(&quiet(), Limits::default(), ())
        .unwrap();
    assert_eq!(session.call_wave("double(21)").unwrap(), "42");
    // A plain export of the same component takes the sync path.
    assert_eq!(session.call_wave("sum([1, 2, 3])").unwrap(), "6");
}

#[test]
fn an_async_import_needs_imports_linked_for_async_calls() {
    let component = common::load("async-types");
    assert!(component.has_async_imports());
    let imports = Imports::new().func("weft:async-types/host-clock#sleep-ms", |_, _, _| Ok(()));
    let err = common::runtime()
        .prepare(&component, &imports)
        .err()
        .expect("a sync link of an async import fails")
        .to_string();
    assert!(
        err.contains("weft:async-types/host-clock@0.1.0#sleep-ms")
            && err.contains("Imports::asynchronous"),
        "{err}"
    );
    // A sync host function serves an async import in an async session.
    let prepared = common::runtime()
        .prepare(&component, &imports.asynchronous())
        .unwrap();
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tokio.block_on(async {
        let mut session = prepared
            .instantiate_async(&quiet(), Limits::default(), ())
            .await
            .unwrap();
        let greeting = session
            .eval_async(&weft_runtime::Statement::Call(
                r#"greet-later("Ada", 5)"#.into(),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(greeting.results, [Val::String("Hello, Ada!".into())]);
        assert!(session.finish_async().await.leaked.is_empty());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_imports_are_awaited_and_sessions_run_concurrently() {
    let prepared = common::runtime()
        .prepare(&common::load("async-types"), &async_clock())
        .unwrap();
    // A sync call on an async-linked session says what to use instead.
    let mut session = prepared
        .instantiate_async(&quiet(), Limits::default(), ())
        .await
        .unwrap();
    assert!(matches!(
        session.call_vals("double", &[Val::U32(1)]),
        Err(CallError::NeedsAsync { .. })
    ));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let prepared = prepared.clone();
            tokio::spawn(async move {
                let mut session = prepared
                    .instantiate_async(&quiet(), Limits::default(), ())
                    .await
                    .unwrap();
                session
                    .call_vals_async(
                        "greet-later",
                        &[Val::String(format!("task-{i}")), Val::U32(30)],
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(
            task.await.unwrap(),
            [Val::String(format!("Hello, task-{i}!"))]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_covers_time_spent_waiting_on_the_host() {
    let prepared = common::runtime()
        .prepare(&common::load("async-types"), &async_clock())
        .unwrap();
    let limits = Limits {
        timeout: Some(Duration::from_millis(100)),
        ..Limits::default()
    };
    let mut session = prepared
        .instantiate_async(&quiet(), limits, ())
        .await
        .unwrap();
    match session
        .call_vals_async("greet-later", &[Val::String("x".into()), Val::U32(60_000)])
        .await
    {
        Err(CallError::Trap { trap, .. }) => assert_eq!(trap.kind, TrapKind::Deadline),
        other => panic!("expected the deadline, got {other:?}"),
    }
    // The runtime serves the next session.
    let mut next = prepared
        .instantiate_async(&quiet(), Limits::default(), ())
        .await
        .unwrap();
    assert_eq!(
        next.call_vals_async("double", &[Val::U32(4)])
            .await
            .unwrap(),
        [Val::U32(8)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_run_concurrently_in_one_session_while_each_awaits_the_host() {
    let prepared = common::runtime()
        .prepare(&common::load("async-types"), &async_clock())
        .unwrap();
    let mut session = prepared
        .instantiate_async(&quiet(), Limits::default(), ())
        .await
        .unwrap();
    let calls: Vec<weft_runtime::Statement> = ["Ada", "Grace", "Edsger"]
        .iter()
        .map(|name| weft_runtime::Statement::Call(format!(r#"greet-later("{name}", 300)"#)))
        .chain([weft_runtime::Statement::Call("double(4)".into())])
        .collect();
    let started = std::time::Instant::now();
    let outcomes = session.eval_concurrently_async(&calls).await.unwrap();
    let elapsed = started.elapsed();
    let results: Vec<&Val> = outcomes.iter().flat_map(|o| &o.results).collect();
    assert_eq!(
        results,
        [
            &Val::String("Hello, Ada!".into()),
            &Val::String("Hello, Grace!".into()),
            &Val::String("Hello, Edsger!".into()),
            &Val::U32(8)
        ]
    );
    // One after another they would take 900 ms.
    assert!(
        elapsed < Duration::from_millis(700),
        "three 300 ms waits took {elapsed:?}"
    );
    // The timeout bounds the batch.
    let mut limited = prepared
        .instantiate_async(
            &quiet(),
            Limits {
                timeout: Some(Duration::from_millis(100)),
                ..Limits::default()
            },
            (),
        )
        .await
        .unwrap();
    match limited.eval_concurrently_async(&calls).await {
        Err(CallError::Trap { trap, export }) => {
            assert_eq!(trap.kind, TrapKind::Deadline);
            assert!(export.contains("greet-later | "), "{export}");
        }
        other => panic!("{other:?}"),
    }
}
