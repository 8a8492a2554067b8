//! The bindings wit-bindgen generates for the `wasock:socket/imports`
//! world (`wit/` at the repository root).

wit_bindgen::generate!({
    path: "../wit",
    world: "wasock:socket/imports",
    additional_derives: [PartialEq, Eq],
    additional_derives_ignore: [
        "send-control-message",
        "recv-control-message",
        "received-message",
        "poll-request",
    ],
});
