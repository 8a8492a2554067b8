use super::*;
use crate::convert::address::RawAddress;

#[test]
fn numeric_addresses_to_wit() {
    let w = address_to_wit(&Address::from(("127.0.0.1", 80)), AF_INET, 0, "connect").unwrap();
    assert_eq!(
        w,
        WitAddress::Inet(wit::types::Ipv4SocketAddress {
            port: 80,
            address: (127, 0, 0, 1)
        })
    );
    let w = address_to_wit(&Address::from(("", 80)), AF_INET6, 0, "bind").unwrap();
    assert_eq!(
        w,
        WitAddress::Inet6(wit::types::Ipv6SocketAddress {
            port: 80,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 0),
            scope_id: 0,
        })
    );
    let w = address_to_wit(&Address::from(("<broadcast>", 9)), AF_INET, 0, "sendto").unwrap();
    assert_eq!(
        w,
        WitAddress::Inet(wit::types::Ipv4SocketAddress {
            port: 9,
            address: (255, 255, 255, 255)
        })
    );
    // CPython: the tuple's scope_id wins over a "%scope" suffix.
    let w = address_to_wit(&Address::from(("fe80::1%1", 80, 0, 0)), AF_INET6, 0, "c").unwrap();
    match w {
        WitAddress::Inet6(a) => assert_eq!((a.address.0, a.scope_id), (0xfe80, 0)),
        _ => panic!(),
    }
    let e = address_to_wit(&Address::from(("::1", 80)), AF_INET, 0, "connect").unwrap_err();
    assert_eq!(
        e.to_string(),
        "[Errno -9] Address family for hostname not supported"
    );
    let e = address_to_wit(&Address::from(("::1", 80, 0, 0)), AF_INET, 0, "connect").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TypeError);
    let e = address_to_wit(&Address::from("/tmp/x"), AF_INET, 0, "connect_ex").unwrap_err();
    assert_eq!(
        e.to_string(),
        "connect_ex(): AF_INET address must be tuple, not str"
    );
    let long = "x".repeat(108);
    let e = address_to_wit(&Address::from(long.as_str()), AF_UNIX, 0, "bind").unwrap_err();
    assert_eq!(e.to_string(), "AF_UNIX path too long");
    let mut abs = vec![0u8];
    abs.extend_from_slice(&[b'a'; 107]);
    assert!(address_to_wit(&Address::Unix(abs), AF_UNIX, 0, "bind").is_ok());
    assert_eq!(
        address_to_wit(&Address::Unix(vec![]), AF_UNIX, 0, "bind").unwrap(),
        WitAddress::Unix(UnixAddress::Unnamed)
    );
}

#[test]
fn address_shapes_as_cpython() {
    // Generated with CPython 3.11 on Linux: `s.bind(address)` on a
    // socket of each family, for each shape; these fail before any
    // system call.
    let cases = [
        (
            AF_NETLINK,
            Address::from("/tmp/x"),
            "TypeError: bind(): AF_NETLINK address must be tuple, not str",
        ),
        (
            AF_NETLINK,
            Address::from(("127.0.0.1", 80)),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_NETLINK,
            Address::from(("::1", 80, 0, 0)),
            "TypeError: AF_NETLINK address must be a pair (pid, groups)",
        ),
        (
            AF_NETLINK,
            Address::None,
            "TypeError: bind(): AF_NETLINK address must be tuple, not NoneType",
        ),
        (
            AF_NETLINK,
            Address::packet("lo", 0, 0, 0, b""),
            "TypeError: AF_NETLINK address must be a pair (pid, groups)",
        ),
        (
            AF_NETLINK,
            Address::can("lo"),
            "TypeError: AF_NETLINK address must be a pair (pid, groups)",
        ),
        (
            AF_NETLINK,
            Address::alg("hash", "sha256"),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_PACKET,
            Address::from("/tmp/x"),
            "TypeError: bind(): AF_PACKET address must be tuple, not str",
        ),
        (
            AF_PACKET,
            Address::None,
            "TypeError: bind(): AF_PACKET address must be tuple, not NoneType",
        ),
        (
            AF_PACKET,
            Address::netlink(0, 0),
            "TypeError: AF_PACKET address must be a tuple of two to five elements",
        ),
        (
            AF_PACKET,
            Address::can("lo"),
            "TypeError: AF_PACKET address must be a tuple of two to five elements",
        ),
        (
            AF_PACKET,
            Address::alg("hash", "sha256"),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_PACKET,
            Address::vsock(1, 2),
            "TypeError: AF_PACKET address must be a tuple of two to five elements",
        ),
        (
            AF_VSOCK,
            Address::from("/tmp/x"),
            "TypeError: getsockaddrarg: AF_VSOCK address must be tuple, not str",
        ),
        (
            AF_VSOCK,
            Address::from(("127.0.0.1", 80)),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_VSOCK,
            Address::from(("::1", 80, 0, 0)),
            "TypeError: getsockaddrarg() takes exactly 2 arguments (4 given)",
        ),
        (
            AF_VSOCK,
            Address::None,
            "TypeError: getsockaddrarg: AF_VSOCK address must be tuple, not NoneType",
        ),
        (
            AF_VSOCK,
            Address::packet("lo", 0, 0, 0, b""),
            "TypeError: getsockaddrarg() takes exactly 2 arguments (5 given)",
        ),
        (
            AF_VSOCK,
            Address::can("lo"),
            "TypeError: getsockaddrarg() takes exactly 2 arguments (1 given)",
        ),
        (
            AF_VSOCK,
            Address::alg("hash", "sha256"),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_INET,
            Address::from("/tmp/x"),
            "TypeError: bind(): AF_INET address must be tuple, not str",
        ),
        (
            AF_INET,
            Address::from(("::1", 80, 0, 0)),
            "TypeError: AF_INET address must be a pair (host, port)",
        ),
        (
            AF_INET,
            Address::None,
            "TypeError: bind(): AF_INET address must be tuple, not NoneType",
        ),
        (
            AF_INET,
            Address::netlink(0, 0),
            "TypeError: str, bytes or bytearray expected, not int",
        ),
        (
            AF_INET,
            Address::packet("lo", 0, 0, 0, b""),
            "TypeError: AF_INET address must be a pair (host, port)",
        ),
        (
            AF_INET,
            Address::can("lo"),
            "TypeError: AF_INET address must be a pair (host, port)",
        ),
        (
            AF_INET,
            Address::alg("hash", "sha256"),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_INET,
            Address::vsock(1, 2),
            "TypeError: str, bytes or bytearray expected, not int",
        ),
        (
            AF_INET6,
            Address::from("/tmp/x"),
            "TypeError: bind(): AF_INET6 address must be tuple, not str",
        ),
        (
            AF_INET6,
            Address::None,
            "TypeError: bind(): AF_INET6 address must be tuple, not NoneType",
        ),
        (
            AF_INET6,
            Address::netlink(0, 0),
            "TypeError: str, bytes or bytearray expected, not int",
        ),
        (
            AF_INET6,
            Address::packet("lo", 0, 0, 0, b""),
            "TypeError: AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
        ),
        (
            AF_INET6,
            Address::can("lo"),
            "TypeError: AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])",
        ),
        (
            AF_INET6,
            Address::alg("hash", "sha256"),
            "TypeError: 'str' object cannot be interpreted as an integer",
        ),
        (
            AF_INET6,
            Address::vsock(1, 2),
            "TypeError: str, bytes or bytearray expected, not int",
        ),
        (
            AF_UNIX,
            Address::from(("127.0.0.1", 80)),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
        (
            AF_UNIX,
            Address::from(("::1", 80, 0, 0)),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
        (
            AF_UNIX,
            Address::None,
            "TypeError: a bytes-like object is required, not 'NoneType'",
        ),
        (
            AF_UNIX,
            Address::netlink(0, 0),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
        (
            AF_UNIX,
            Address::packet("lo", 0, 0, 0, b""),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
        (
            AF_UNIX,
            Address::can("lo"),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
        (
            AF_UNIX,
            Address::alg("hash", "sha256"),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
        (
            AF_UNIX,
            Address::vsock(1, 2),
            "TypeError: a bytes-like object is required, not 'tuple'",
        ),
    ];
    for (family, addr, expected) in cases {
        let e = address_to_wit(&addr, family, 0, "bind").unwrap_err();
        assert_eq!(
            format!("{}: {e}", e.kind().name()),
            expected,
            "family {family}, address {addr}"
        );
    }
}

#[test]
fn address_shapes_other_families() {
    let err = |addr: Address, family, proto| {
        let e = address_to_wit(&addr, family, proto, "connect").unwrap_err();
        format!("{}: {e}", e.kind().name())
    };
    // Messages from CPython 3.11's getsockaddrarg (the families this
    // kernel lacks, so not observable here).
    assert_eq!(
        err(Address::from("x"), AF_TIPC, 0),
        "TypeError: connect(): AF_TIPC address must be tuple, not str"
    );
    assert_eq!(
        err(Address::netlink(1, 2), AF_TIPC, 0),
        "TypeError: AF_TIPC address must be a tuple (addr_type, v1, v2, v3[, scope])"
    );
    assert_eq!(
        err(Address::None, AF_QIPCRTR, 0),
        "TypeError: getsockaddrarg: AF_QIPCRTR address must be tuple, not NoneType"
    );
    assert_eq!(
        err(Address::from(("h", 1)), AF_QIPCRTR, 0),
        "TypeError: 'str' object cannot be interpreted as an integer"
    );
    assert_eq!(
        err(Address::from("x"), AF_CAN, CAN_RAW),
        "TypeError: connect(): AF_CAN address must be tuple, not str"
    );
    assert_eq!(
        err(Address::netlink(1, 2), AF_CAN, CAN_RAW),
        "TypeError: AF_CAN address must be a tuple (interface, )"
    );
    assert_eq!(
        err(Address::can("lo"), AF_CAN, 99),
        "OSError: connect(): unsupported CAN protocol"
    );
    assert_eq!(
        err(Address::can("a_very_long_interface"), AF_CAN, CAN_BCM),
        "OSError: AF_CAN interface name too long"
    );
    assert_eq!(
        err(Address::from("x"), AF_ALG, 0),
        "TypeError: connect(): AF_ALG address must be tuple, not str"
    );
    assert_eq!(
        err(Address::vsock(1, 2), AF_ALG, 0),
        "TypeError: AF_ALG address must be a tuple (type, name[, feat[, mask]])"
    );
    assert_eq!(
        err(Address::netlink(1, 2), AF_BLUETOOTH, BTPROTO_RFCOMM),
        "OSError: connect(): wrong format"
    );
    assert_eq!(
        err(Address::from(("nonsense", 1)), AF_BLUETOOTH, BTPROTO_RFCOMM),
        "OSError: bad bluetooth address"
    );
    assert_eq!(
        err(Address::netlink(1, 2), AF_KEY, 2),
        "OSError: connect(): bad family"
    );
    assert_eq!(
        err(Address::packet("lo", 0, 0, 0, b"123456789"), AF_PACKET, 0),
        "ValueError: Hardware address must be 8 bytes or less"
    );
    // Addresses of the right shape come out as the family's address;
    // a tuple of the right shape from another family is taken as
    // CPython takes it.
    for (addr, family, proto) in [
        (Address::netlink(1, 2), AF_NETLINK, 0),
        (Address::packet("lo", 3, 1, 2, b"ab"), AF_PACKET, 0),
        (Address::vsock(1, 2), AF_VSOCK, 0),
        (Address::can("vcan0"), AF_CAN, CAN_RAW),
        (Address::alg("hash", "sha256"), AF_ALG, 0),
    ] {
        let w = address_to_wit(&addr, family, proto, "bind").unwrap();
        assert_eq!(Address::Other(RawAddress(w)), addr);
    }
    let w = address_to_wit(&Address::vsock(1, 2), AF_NETLINK, 0, "bind").unwrap();
    assert_eq!(Address::Other(RawAddress(w)), Address::netlink(1, 2));
    let w = address_to_wit(&Address::from(("lo", 80)), AF_PACKET, 0, "bind").unwrap();
    assert_eq!(
        Address::Other(RawAddress(w)),
        Address::packet("lo", 80, 0, 0, b"")
    );
    let bt = WitAddress::Bluetooth(wit::types::BluetoothAddress::Rfcomm((
        (1, 2, 3, 4, 5, 0xab),
        7,
    )));
    let back = address_to_wit(
        &Address::Other(RawAddress(bt.clone())),
        AF_BLUETOOTH,
        BTPROTO_RFCOMM,
        "bind",
    )
    .unwrap();
    assert_eq!(back, bt);
}
