//! Bad input from a guest: errors or a clean trap, never a host panic, an
//! fd leak, or a huge allocation.

use crate::support::*;

#[test]
fn huge_recv_is_capped() {
    let o = run_sync("bad_input", &["huge-recv"], loopback_policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    assert!(o.stdout.contains("recv-2^31: ok 10"), "{}", o.stdout);
    assert!(o.stdout.contains("recv-usize-max: ok 3"), "{}", o.stdout);
}

#[test]
fn invalid_addresses_and_arguments_are_errors() {
    let o = run_sync("bad_input", &["addresses"], loopback_policy());
    assert_eq!(o.code, Ok(0), "{}", o.stderr);
    let line = |k: &str| {
        o.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{k}: ")))
            .unwrap_or_else(|| panic!("no {k} in {}", o.stdout))
            .to_string()
    };
    assert!(
        line("bad-ipv4-literal").contains("gaierror")
            || line("bad-ipv4-literal").contains("PermissionError")
    );
    assert!(
        line("v6-address-on-v4-socket").contains("TypeError"),
        "{}",
        o.stdout
    );
    assert!(
        line("long-host").len() < 400,
        "denials must not echo huge guest strings"
    );
    // A name the policy does not let the guest resolve fails as an unknown
    // name (netdb::no_dns_query_when_the_policy_allows_no_name checks the
    // detail that names the denial).
    assert_eq!(
        line("unresolvable-name"),
        "unresolvable-name: gaierror: [Errno -2] Name or service not known",
        "{}",
        o.stdout
    );
    assert!(line("nul-in-host").contains("TypeError: host name must not contain null character"));
    assert!(line("negative-timeout").contains("ValueError"));
    assert!(line("nan-timeout").contains("ValueError"));
    assert!(line("raw-socket").contains("PermissionError"));
    assert!(line("unix-socket").contains("ok None"), "{}", o.stdout);
    // The kernel judges the protocol number, as for CPython (EINVAL here).
    assert!(line("bad-protocol").contains("[Errno 22]"), "{}", o.stdout);
    assert!(o.stdout.trim_end().ends_with("done"));
}

/// A guest that used a handle it never received must have trapped, naming
/// the handle, before it could print anything.
fn assert_forged_handle_trapped(o: Outcome) {
    let err = o.code.expect_err("a forged handle must trap");
    assert!(err.contains("handle") || err.contains("resource"), "{err}");
    assert!(!o.stdout.contains("unexpectedly"));
}

/// Runs `scenario` twice in a process of its own (see [`alone`]): once to
/// warm up (engine, caches, runtimes), then again, and checks that the
/// second run left no descriptor open.
fn without_fd_leak(test: &str, scenario: impl Fn()) {
    if !alone(test) {
        return;
    }
    scenario();
    let before = open_fds();
    scenario();
    assert_no_fd_leak(before);
}

#[test]
fn unknown_handle_traps_cleanly() {
    without_fd_leak("hostile::unknown_handle_traps_cleanly", || {
        for run in [run_sync, run_async] {
            assert_forged_handle_trapped(run("bad_input", &["bad-handle"], loopback_policy()));
        }
    });
}

#[test]
fn forged_sends_trap_cleanly() {
    without_fd_leak("hostile::forged_sends_trap_cleanly", || {
        for run in [run_sync, run_async] {
            assert_forged_handle_trapped(run("bad_input", &["send-bad-handle"], loopback_policy()));

            let o = run("bad_input", &["send-bad-range"], loopback_policy());
            let err = o.code.expect_err("a list past the end of memory must trap");
            assert!(err.contains("out of bounds"), "{err}");
            assert!(!o.stdout.contains("unexpectedly"));

            // The Latin-1 sends (which read the guest's text in place).
            assert_forged_handle_trapped(run(
                "bad_input",
                &["latin1-bad-handle"],
                loopback_policy(),
            ));
            let o = run("bad_input", &["latin1-bad-range"], loopback_policy());
            let err = o.code.expect_err("text past the end of memory must trap");
            assert!(err.contains("out of bounds"), "{err}");
            assert!(!o.stdout.contains("unexpectedly"));
            let o = run("bad_input", &["latin1-bad-utf8"], loopback_policy());
            let err = o.code.expect_err("text that is not UTF-8 must trap");
            assert!(err.contains("utf-8") || err.contains("UTF-8"), "{err}");
            assert!(!o.stdout.contains("unexpectedly"));
        }
    });
}

#[test]
fn socket_limit_and_no_fd_leak() {
    without_fd_leak("hostile::socket_limit_and_no_fd_leak", || {
        let mut policy = loopback_policy();
        policy.limits.max_sockets = 7;
        let o = run_sync("bad_input", &["fd-limit"], policy);
        assert_eq!(o.code, Ok(0), "{}", o.stderr);
        assert!(
            o.stdout.contains("opened 7 then OSError: [Errno 24]"),
            "{}",
            o.stdout
        );
        assert!(o.stdout.contains("after-close: ok None"), "{}", o.stdout);
    });
}
