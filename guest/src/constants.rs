//! Python's integer constants of the `socket` module, with their Linux values.
//!
//! Generated once from CPython 3.11 on Linux
//! (`[n for n in dir(socket) if n.isupper() and isinstance(getattr(socket, n), int)]`)
//! and checked in. Constants that do not fit `i32` are `u32` or `u64`.
//! A table at the bottom layer, with `error`: it imports nothing.

// Address family (socket(2) `domain`)
/// Address family (socket(2) `domain`): `AF_UNSPEC` (Linux value 0).
pub const AF_UNSPEC: i32 = 0;
/// Address family (socket(2) `domain`): `AF_UNIX` (Linux value 1).
pub const AF_UNIX: i32 = 1;
/// Address family (socket(2) `domain`): `AF_INET` (Linux value 2).
pub const AF_INET: i32 = 2;
/// Address family (socket(2) `domain`): `AF_AX25` (Linux value 3).
pub const AF_AX25: i32 = 3;
/// Address family (socket(2) `domain`): `AF_IPX` (Linux value 4).
pub const AF_IPX: i32 = 4;
/// Address family (socket(2) `domain`): `AF_APPLETALK` (Linux value 5).
pub const AF_APPLETALK: i32 = 5;
/// Address family (socket(2) `domain`): `AF_NETROM` (Linux value 6).
pub const AF_NETROM: i32 = 6;
/// Address family (socket(2) `domain`): `AF_BRIDGE` (Linux value 7).
pub const AF_BRIDGE: i32 = 7;
/// Address family (socket(2) `domain`): `AF_ATMPVC` (Linux value 8).
pub const AF_ATMPVC: i32 = 8;
/// Address family (socket(2) `domain`): `AF_X25` (Linux value 9).
pub const AF_X25: i32 = 9;
/// Address family (socket(2) `domain`): `AF_INET6` (Linux value 10).
pub const AF_INET6: i32 = 10;
/// Address family (socket(2) `domain`): `AF_ROSE` (Linux value 11).
pub const AF_ROSE: i32 = 11;
/// Address family (socket(2) `domain`): `AF_DECnet` (Linux value 12).
pub const AF_DECnet: i32 = 12;
/// Address family (socket(2) `domain`): `AF_NETBEUI` (Linux value 13).
pub const AF_NETBEUI: i32 = 13;
/// Address family (socket(2) `domain`): `AF_SECURITY` (Linux value 14).
pub const AF_SECURITY: i32 = 14;
/// Address family (socket(2) `domain`): `AF_KEY` (Linux value 15).
pub const AF_KEY: i32 = 15;
/// Address family (socket(2) `domain`): `AF_NETLINK` (Linux value 16).
pub const AF_NETLINK: i32 = 16;
/// Address family (socket(2) `domain`): `AF_ROUTE` (Linux value 16).
pub const AF_ROUTE: i32 = 16;
/// Address family (socket(2) `domain`): `AF_PACKET` (Linux value 17).
pub const AF_PACKET: i32 = 17;
/// Address family (socket(2) `domain`): `AF_ASH` (Linux value 18).
pub const AF_ASH: i32 = 18;
/// Address family (socket(2) `domain`): `AF_ECONET` (Linux value 19).
pub const AF_ECONET: i32 = 19;
/// Address family (socket(2) `domain`): `AF_ATMSVC` (Linux value 20).
pub const AF_ATMSVC: i32 = 20;
/// Address family (socket(2) `domain`): `AF_RDS` (Linux value 21).
pub const AF_RDS: i32 = 21;
/// Address family (socket(2) `domain`): `AF_SNA` (Linux value 22).
pub const AF_SNA: i32 = 22;
/// Address family (socket(2) `domain`): `AF_IRDA` (Linux value 23).
pub const AF_IRDA: i32 = 23;
/// Address family (socket(2) `domain`): `AF_PPPOX` (Linux value 24).
pub const AF_PPPOX: i32 = 24;
/// Address family (socket(2) `domain`): `AF_WANPIPE` (Linux value 25).
pub const AF_WANPIPE: i32 = 25;
/// Address family (socket(2) `domain`): `AF_LLC` (Linux value 26).
pub const AF_LLC: i32 = 26;
/// Address family (socket(2) `domain`): `AF_CAN` (Linux value 29).
pub const AF_CAN: i32 = 29;
/// Address family (socket(2) `domain`): `AF_TIPC` (Linux value 30).
pub const AF_TIPC: i32 = 30;
/// Address family (socket(2) `domain`): `AF_ALG` (Linux value 38).
pub const AF_ALG: i32 = 38;
/// Address family (socket(2) `domain`): `AF_VSOCK` (Linux value 40).
pub const AF_VSOCK: i32 = 40;
/// Address family (socket(2) `domain`): `AF_QIPCRTR` (Linux value 42).
pub const AF_QIPCRTR: i32 = 42;

// getaddrinfo(3) flag
/// getaddrinfo(3) flag: `AI_PASSIVE` (Linux value 1).
pub const AI_PASSIVE: i32 = 1;
/// getaddrinfo(3) flag: `AI_CANONNAME` (Linux value 2).
pub const AI_CANONNAME: i32 = 2;
/// getaddrinfo(3) flag: `AI_NUMERICHOST` (Linux value 4).
pub const AI_NUMERICHOST: i32 = 4;
/// getaddrinfo(3) flag: `AI_V4MAPPED` (Linux value 8).
pub const AI_V4MAPPED: i32 = 8;
/// getaddrinfo(3) flag: `AI_ALL` (Linux value 16).
pub const AI_ALL: i32 = 16;
/// getaddrinfo(3) flag: `AI_ADDRCONFIG` (Linux value 32).
pub const AI_ADDRCONFIG: i32 = 32;
/// getaddrinfo(3) flag: `AI_NUMERICSERV` (Linux value 1024).
pub const AI_NUMERICSERV: i32 = 1024;

// AF_ALG option or operation
/// AF_ALG option or operation: `ALG_OP_DECRYPT` (Linux value 0).
pub const ALG_OP_DECRYPT: i32 = 0;
/// AF_ALG option or operation: `ALG_OP_ENCRYPT` (Linux value 1).
pub const ALG_OP_ENCRYPT: i32 = 1;
/// AF_ALG option or operation: `ALG_SET_KEY` (Linux value 1).
pub const ALG_SET_KEY: i32 = 1;
/// AF_ALG option or operation: `ALG_OP_SIGN` (Linux value 2).
pub const ALG_OP_SIGN: i32 = 2;
/// AF_ALG option or operation: `ALG_SET_IV` (Linux value 2).
pub const ALG_SET_IV: i32 = 2;
/// AF_ALG option or operation: `ALG_OP_VERIFY` (Linux value 3).
pub const ALG_OP_VERIFY: i32 = 3;
/// AF_ALG option or operation: `ALG_SET_OP` (Linux value 3).
pub const ALG_SET_OP: i32 = 3;
/// AF_ALG option or operation: `ALG_SET_AEAD_ASSOCLEN` (Linux value 4).
pub const ALG_SET_AEAD_ASSOCLEN: i32 = 4;
/// AF_ALG option or operation: `ALG_SET_AEAD_AUTHSIZE` (Linux value 5).
pub const ALG_SET_AEAD_AUTHSIZE: i32 = 5;
/// AF_ALG option or operation: `ALG_SET_PUBKEY` (Linux value 6).
pub const ALG_SET_PUBKEY: i32 = 6;

// AF_CAN protocol, option or flag
/// AF_CAN protocol, option or flag: `CAN_BCM_SETTIMER` (Linux value 1).
pub const CAN_BCM_SETTIMER: i32 = 1;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_SETUP` (Linux value 1).
pub const CAN_BCM_TX_SETUP: i32 = 1;
/// AF_CAN protocol, option or flag: `CAN_RAW` (Linux value 1).
pub const CAN_RAW: i32 = 1;
/// AF_CAN protocol, option or flag: `CAN_RAW_FILTER` (Linux value 1).
pub const CAN_RAW_FILTER: i32 = 1;
/// AF_CAN protocol, option or flag: `CAN_BCM` (Linux value 2).
pub const CAN_BCM: i32 = 2;
/// AF_CAN protocol, option or flag: `CAN_BCM_STARTTIMER` (Linux value 2).
pub const CAN_BCM_STARTTIMER: i32 = 2;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_DELETE` (Linux value 2).
pub const CAN_BCM_TX_DELETE: i32 = 2;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_READ` (Linux value 3).
pub const CAN_BCM_TX_READ: i32 = 3;
/// AF_CAN protocol, option or flag: `CAN_RAW_LOOPBACK` (Linux value 3).
pub const CAN_RAW_LOOPBACK: i32 = 3;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_COUNTEVT` (Linux value 4).
pub const CAN_BCM_TX_COUNTEVT: i32 = 4;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_SEND` (Linux value 4).
pub const CAN_BCM_TX_SEND: i32 = 4;
/// AF_CAN protocol, option or flag: `CAN_RAW_RECV_OWN_MSGS` (Linux value 4).
pub const CAN_RAW_RECV_OWN_MSGS: i32 = 4;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_SETUP` (Linux value 5).
pub const CAN_BCM_RX_SETUP: i32 = 5;
/// AF_CAN protocol, option or flag: `CAN_RAW_FD_FRAMES` (Linux value 5).
pub const CAN_RAW_FD_FRAMES: i32 = 5;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_DELETE` (Linux value 6).
pub const CAN_BCM_RX_DELETE: i32 = 6;
/// AF_CAN protocol, option or flag: `CAN_ISOTP` (Linux value 6).
pub const CAN_ISOTP: i32 = 6;
/// AF_CAN protocol, option or flag: `CAN_RAW_JOIN_FILTERS` (Linux value 6).
pub const CAN_RAW_JOIN_FILTERS: i32 = 6;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_READ` (Linux value 7).
pub const CAN_BCM_RX_READ: i32 = 7;
/// AF_CAN protocol, option or flag: `CAN_J1939` (Linux value 7).
pub const CAN_J1939: i32 = 7;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_ANNOUNCE` (Linux value 8).
pub const CAN_BCM_TX_ANNOUNCE: i32 = 8;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_STATUS` (Linux value 8).
pub const CAN_BCM_TX_STATUS: i32 = 8;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_EXPIRED` (Linux value 9).
pub const CAN_BCM_TX_EXPIRED: i32 = 9;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_STATUS` (Linux value 10).
pub const CAN_BCM_RX_STATUS: i32 = 10;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_TIMEOUT` (Linux value 11).
pub const CAN_BCM_RX_TIMEOUT: i32 = 11;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_CHANGED` (Linux value 12).
pub const CAN_BCM_RX_CHANGED: i32 = 12;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_CP_CAN_ID` (Linux value 16).
pub const CAN_BCM_TX_CP_CAN_ID: i32 = 16;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_FILTER_ID` (Linux value 32).
pub const CAN_BCM_RX_FILTER_ID: i32 = 32;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_CHECK_DLC` (Linux value 64).
pub const CAN_BCM_RX_CHECK_DLC: i32 = 64;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_NO_AUTOTIMER` (Linux value 128).
pub const CAN_BCM_RX_NO_AUTOTIMER: i32 = 128;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_ANNOUNCE_RESUME` (Linux value 256).
pub const CAN_BCM_RX_ANNOUNCE_RESUME: i32 = 256;
/// AF_CAN protocol, option or flag: `CAN_BCM_TX_RESET_MULTI_IDX` (Linux value 512).
pub const CAN_BCM_TX_RESET_MULTI_IDX: i32 = 512;
/// AF_CAN protocol, option or flag: `CAN_BCM_RX_RTR_FRAME` (Linux value 1024).
pub const CAN_BCM_RX_RTR_FRAME: i32 = 1024;
/// AF_CAN protocol, option or flag: `CAN_SFF_MASK` (Linux value 2047).
pub const CAN_SFF_MASK: i32 = 2047;
/// AF_CAN protocol, option or flag: `CAN_BCM_CAN_FD_FRAME` (Linux value 2048).
pub const CAN_BCM_CAN_FD_FRAME: i32 = 2048;
/// AF_CAN protocol, option or flag: `CAN_EFF_MASK` (Linux value 536870911).
pub const CAN_EFF_MASK: i32 = 0x1fffffff;
/// AF_CAN protocol, option or flag: `CAN_ERR_MASK` (Linux value 536870911).
pub const CAN_ERR_MASK: i32 = 0x1fffffff;
/// AF_CAN protocol, option or flag: `CAN_ERR_FLAG` (Linux value 536870912).
pub const CAN_ERR_FLAG: i32 = 0x20000000;
/// AF_CAN protocol, option or flag: `CAN_RTR_FLAG` (Linux value 1073741824).
pub const CAN_RTR_FLAG: i32 = 0x40000000;
/// AF_CAN protocol, option or flag: `CAN_EFF_FLAG` (Linux value 2147483648).
pub const CAN_EFF_FLAG: u32 = 0x80000000;

// errno EAGAIN
/// errno EAGAIN: `EAGAIN` (Linux value 11).
pub const EAGAIN: i32 = 11;

// getaddrinfo(3) error code (gaierror errno)
/// getaddrinfo(3) error code (gaierror errno): `EAI_OVERFLOW` (Linux value -12).
pub const EAI_OVERFLOW: i32 = -12;
/// getaddrinfo(3) error code (gaierror errno): `EAI_SYSTEM` (Linux value -11).
pub const EAI_SYSTEM: i32 = -11;
/// getaddrinfo(3) error code (gaierror errno): `EAI_MEMORY` (Linux value -10).
pub const EAI_MEMORY: i32 = -10;
/// getaddrinfo(3) error code (gaierror errno): `EAI_ADDRFAMILY` (Linux value -9).
pub const EAI_ADDRFAMILY: i32 = -9;
/// getaddrinfo(3) error code (gaierror errno): `EAI_SERVICE` (Linux value -8).
pub const EAI_SERVICE: i32 = -8;
/// getaddrinfo(3) error code (gaierror errno): `EAI_SOCKTYPE` (Linux value -7).
pub const EAI_SOCKTYPE: i32 = -7;
/// getaddrinfo(3) error code (gaierror errno): `EAI_FAMILY` (Linux value -6).
pub const EAI_FAMILY: i32 = -6;
/// getaddrinfo(3) error code (gaierror errno): `EAI_NODATA` (Linux value -5).
pub const EAI_NODATA: i32 = -5;
/// getaddrinfo(3) error code (gaierror errno): `EAI_FAIL` (Linux value -4).
pub const EAI_FAIL: i32 = -4;
/// getaddrinfo(3) error code (gaierror errno): `EAI_AGAIN` (Linux value -3).
pub const EAI_AGAIN: i32 = -3;
/// getaddrinfo(3) error code (gaierror errno): `EAI_NONAME` (Linux value -2).
pub const EAI_NONAME: i32 = -2;
/// getaddrinfo(3) error code (gaierror errno): `EAI_BADFLAGS` (Linux value -1).
pub const EAI_BADFLAGS: i32 = -1;

// errno EBADF
/// errno EBADF: `EBADF` (Linux value 9).
pub const EBADF: i32 = 9;

// errno EWOULDBLOCK
/// errno EWOULDBLOCK: `EWOULDBLOCK` (Linux value 11).
pub const EWOULDBLOCK: i32 = 11;

// IPv4 special address (host byte order)
/// IPv4 special address (host byte order): `INADDR_ANY` (Linux value 0).
pub const INADDR_ANY: u32 = 0;
/// IPv4 special address (host byte order): `INADDR_LOOPBACK` (Linux value 2130706433).
pub const INADDR_LOOPBACK: u32 = 0x7f000001;
/// IPv4 special address (host byte order): `INADDR_UNSPEC_GROUP` (Linux value 3758096384).
pub const INADDR_UNSPEC_GROUP: u32 = 0xe0000000;
/// IPv4 special address (host byte order): `INADDR_ALLHOSTS_GROUP` (Linux value 3758096385).
pub const INADDR_ALLHOSTS_GROUP: u32 = 0xe0000001;
/// IPv4 special address (host byte order): `INADDR_MAX_LOCAL_GROUP` (Linux value 3758096639).
pub const INADDR_MAX_LOCAL_GROUP: u32 = 0xe00000ff;
/// IPv4 special address (host byte order): `INADDR_BROADCAST` (Linux value 4294967295).
pub const INADDR_BROADCAST: u32 = 0xffffffff;
/// IPv4 special address (host byte order): `INADDR_NONE` (Linux value 4294967295).
pub const INADDR_NONE: u32 = 0xffffffff;

// AF_VSOCK ioctl
/// AF_VSOCK ioctl: `IOCTL_VM_SOCKETS_GET_LOCAL_CID` (Linux value 1977).
pub const IOCTL_VM_SOCKETS_GET_LOCAL_CID: i32 = 1977;

// IPPROTO_IP option
/// IPPROTO_IP option: `IP_DEFAULT_MULTICAST_LOOP` (Linux value 1).
pub const IP_DEFAULT_MULTICAST_LOOP: i32 = 1;
/// IPPROTO_IP option: `IP_DEFAULT_MULTICAST_TTL` (Linux value 1).
pub const IP_DEFAULT_MULTICAST_TTL: i32 = 1;
/// IPPROTO_IP option: `IP_TOS` (Linux value 1).
pub const IP_TOS: i32 = 1;
/// IPPROTO_IP option: `IP_TTL` (Linux value 2).
pub const IP_TTL: i32 = 2;
/// IPPROTO_IP option: `IP_HDRINCL` (Linux value 3).
pub const IP_HDRINCL: i32 = 3;
/// IPPROTO_IP option: `IP_OPTIONS` (Linux value 4).
pub const IP_OPTIONS: i32 = 4;
/// IPPROTO_IP option: `IP_RECVOPTS` (Linux value 6).
pub const IP_RECVOPTS: i32 = 6;
/// IPPROTO_IP option: `IP_RECVRETOPTS` (Linux value 7).
pub const IP_RECVRETOPTS: i32 = 7;
/// IPPROTO_IP option: `IP_RETOPTS` (Linux value 7).
pub const IP_RETOPTS: i32 = 7;
/// IPPROTO_IP option: `IP_RECVTOS` (Linux value 13).
pub const IP_RECVTOS: i32 = 13;
/// IPPROTO_IP option: `IP_TRANSPARENT` (Linux value 19).
pub const IP_TRANSPARENT: i32 = 19;
/// IPPROTO_IP option: `IP_MAX_MEMBERSHIPS` (Linux value 20).
pub const IP_MAX_MEMBERSHIPS: i32 = 20;
/// IPPROTO_IP option: `IP_BIND_ADDRESS_NO_PORT` (Linux value 24).
pub const IP_BIND_ADDRESS_NO_PORT: i32 = 24;
/// IPPROTO_IP option: `IP_MULTICAST_IF` (Linux value 32).
pub const IP_MULTICAST_IF: i32 = 32;
/// IPPROTO_IP option: `IP_MULTICAST_TTL` (Linux value 33).
pub const IP_MULTICAST_TTL: i32 = 33;
/// IPPROTO_IP option: `IP_MULTICAST_LOOP` (Linux value 34).
pub const IP_MULTICAST_LOOP: i32 = 34;
/// IPPROTO_IP option: `IP_ADD_MEMBERSHIP` (Linux value 35).
pub const IP_ADD_MEMBERSHIP: i32 = 35;
/// IPPROTO_IP option: `IP_DROP_MEMBERSHIP` (Linux value 36).
pub const IP_DROP_MEMBERSHIP: i32 = 36;

// Port range limit
/// Port range limit: `IPPORT_RESERVED` (Linux value 1024).
pub const IPPORT_RESERVED: i32 = 1024;
/// Port range limit: `IPPORT_USERRESERVED` (Linux value 5000).
pub const IPPORT_USERRESERVED: i32 = 0x1388;

// IP protocol number
/// IP protocol number: `IPPROTO_HOPOPTS` (Linux value 0).
pub const IPPROTO_HOPOPTS: i32 = 0;
/// IP protocol number: `IPPROTO_IP` (Linux value 0).
pub const IPPROTO_IP: i32 = 0;
/// IP protocol number: `IPPROTO_ICMP` (Linux value 1).
pub const IPPROTO_ICMP: i32 = 1;
/// IP protocol number: `IPPROTO_IGMP` (Linux value 2).
pub const IPPROTO_IGMP: i32 = 2;
/// IP protocol number: `IPPROTO_IPIP` (Linux value 4).
pub const IPPROTO_IPIP: i32 = 4;
/// IP protocol number: `IPPROTO_TCP` (Linux value 6).
pub const IPPROTO_TCP: i32 = 6;
/// IP protocol number: `IPPROTO_EGP` (Linux value 8).
pub const IPPROTO_EGP: i32 = 8;
/// IP protocol number: `IPPROTO_PUP` (Linux value 12).
pub const IPPROTO_PUP: i32 = 12;
/// IP protocol number: `IPPROTO_UDP` (Linux value 17).
pub const IPPROTO_UDP: i32 = 17;
/// IP protocol number: `IPPROTO_IDP` (Linux value 22).
pub const IPPROTO_IDP: i32 = 22;
/// IP protocol number: `IPPROTO_TP` (Linux value 29).
pub const IPPROTO_TP: i32 = 29;
/// IP protocol number: `IPPROTO_IPV6` (Linux value 41).
pub const IPPROTO_IPV6: i32 = 41;
/// IP protocol number: `IPPROTO_ROUTING` (Linux value 43).
pub const IPPROTO_ROUTING: i32 = 43;
/// IP protocol number: `IPPROTO_FRAGMENT` (Linux value 44).
pub const IPPROTO_FRAGMENT: i32 = 44;
/// IP protocol number: `IPPROTO_RSVP` (Linux value 46).
pub const IPPROTO_RSVP: i32 = 46;
/// IP protocol number: `IPPROTO_GRE` (Linux value 47).
pub const IPPROTO_GRE: i32 = 47;
/// IP protocol number: `IPPROTO_ESP` (Linux value 50).
pub const IPPROTO_ESP: i32 = 50;
/// IP protocol number: `IPPROTO_AH` (Linux value 51).
pub const IPPROTO_AH: i32 = 51;
/// IP protocol number: `IPPROTO_ICMPV6` (Linux value 58).
pub const IPPROTO_ICMPV6: i32 = 58;
/// IP protocol number: `IPPROTO_NONE` (Linux value 59).
pub const IPPROTO_NONE: i32 = 59;
/// IP protocol number: `IPPROTO_DSTOPTS` (Linux value 60).
pub const IPPROTO_DSTOPTS: i32 = 60;
/// IP protocol number: `IPPROTO_PIM` (Linux value 103).
pub const IPPROTO_PIM: i32 = 103;
/// IP protocol number: `IPPROTO_SCTP` (Linux value 132).
pub const IPPROTO_SCTP: i32 = 132;
/// IP protocol number: `IPPROTO_UDPLITE` (Linux value 136).
pub const IPPROTO_UDPLITE: i32 = 136;
/// IP protocol number: `IPPROTO_RAW` (Linux value 255).
pub const IPPROTO_RAW: i32 = 255;
/// IP protocol number: `IPPROTO_MPTCP` (Linux value 262).
pub const IPPROTO_MPTCP: i32 = 262;

// IPPROTO_IPV6 option
/// IPPROTO_IPV6 option: `IPV6_RTHDR_TYPE_0` (Linux value 0).
pub const IPV6_RTHDR_TYPE_0: i32 = 0;
/// IPPROTO_IPV6 option: `IPV6_CHECKSUM` (Linux value 7).
pub const IPV6_CHECKSUM: i32 = 7;
/// IPPROTO_IPV6 option: `IPV6_NEXTHOP` (Linux value 9).
pub const IPV6_NEXTHOP: i32 = 9;
/// IPPROTO_IPV6 option: `IPV6_UNICAST_HOPS` (Linux value 16).
pub const IPV6_UNICAST_HOPS: i32 = 16;
/// IPPROTO_IPV6 option: `IPV6_MULTICAST_IF` (Linux value 17).
pub const IPV6_MULTICAST_IF: i32 = 17;
/// IPPROTO_IPV6 option: `IPV6_MULTICAST_HOPS` (Linux value 18).
pub const IPV6_MULTICAST_HOPS: i32 = 18;
/// IPPROTO_IPV6 option: `IPV6_MULTICAST_LOOP` (Linux value 19).
pub const IPV6_MULTICAST_LOOP: i32 = 19;
/// IPPROTO_IPV6 option: `IPV6_JOIN_GROUP` (Linux value 20).
pub const IPV6_JOIN_GROUP: i32 = 20;
/// IPPROTO_IPV6 option: `IPV6_LEAVE_GROUP` (Linux value 21).
pub const IPV6_LEAVE_GROUP: i32 = 21;
/// IPPROTO_IPV6 option: `IPV6_V6ONLY` (Linux value 26).
pub const IPV6_V6ONLY: i32 = 26;
/// IPPROTO_IPV6 option: `IPV6_RECVPKTINFO` (Linux value 49).
pub const IPV6_RECVPKTINFO: i32 = 49;
/// IPPROTO_IPV6 option: `IPV6_PKTINFO` (Linux value 50).
pub const IPV6_PKTINFO: i32 = 50;
/// IPPROTO_IPV6 option: `IPV6_RECVHOPLIMIT` (Linux value 51).
pub const IPV6_RECVHOPLIMIT: i32 = 51;
/// IPPROTO_IPV6 option: `IPV6_HOPLIMIT` (Linux value 52).
pub const IPV6_HOPLIMIT: i32 = 52;
/// IPPROTO_IPV6 option: `IPV6_RECVHOPOPTS` (Linux value 53).
pub const IPV6_RECVHOPOPTS: i32 = 53;
/// IPPROTO_IPV6 option: `IPV6_HOPOPTS` (Linux value 54).
pub const IPV6_HOPOPTS: i32 = 54;
/// IPPROTO_IPV6 option: `IPV6_RTHDRDSTOPTS` (Linux value 55).
pub const IPV6_RTHDRDSTOPTS: i32 = 55;
/// IPPROTO_IPV6 option: `IPV6_RECVRTHDR` (Linux value 56).
pub const IPV6_RECVRTHDR: i32 = 56;
/// IPPROTO_IPV6 option: `IPV6_RTHDR` (Linux value 57).
pub const IPV6_RTHDR: i32 = 57;
/// IPPROTO_IPV6 option: `IPV6_RECVDSTOPTS` (Linux value 58).
pub const IPV6_RECVDSTOPTS: i32 = 58;
/// IPPROTO_IPV6 option: `IPV6_DSTOPTS` (Linux value 59).
pub const IPV6_DSTOPTS: i32 = 59;
/// IPPROTO_IPV6 option: `IPV6_RECVPATHMTU` (Linux value 60).
pub const IPV6_RECVPATHMTU: i32 = 60;
/// IPPROTO_IPV6 option: `IPV6_PATHMTU` (Linux value 61).
pub const IPV6_PATHMTU: i32 = 61;
/// IPPROTO_IPV6 option: `IPV6_DONTFRAG` (Linux value 62).
pub const IPV6_DONTFRAG: i32 = 62;
/// IPPROTO_IPV6 option: `IPV6_RECVTCLASS` (Linux value 66).
pub const IPV6_RECVTCLASS: i32 = 66;
/// IPPROTO_IPV6 option: `IPV6_TCLASS` (Linux value 67).
pub const IPV6_TCLASS: i32 = 67;

// AF_CAN J1939 constant
/// AF_CAN J1939 constant: `J1939_EE_INFO_NONE` (Linux value 0).
pub const J1939_EE_INFO_NONE: i32 = 0;
/// AF_CAN J1939 constant: `J1939_NLA_PAD` (Linux value 0).
pub const J1939_NLA_PAD: i32 = 0;
/// AF_CAN J1939 constant: `J1939_NO_NAME` (Linux value 0).
pub const J1939_NO_NAME: i32 = 0;
/// AF_CAN J1939 constant: `J1939_EE_INFO_TX_ABORT` (Linux value 1).
pub const J1939_EE_INFO_TX_ABORT: i32 = 1;
/// AF_CAN J1939 constant: `J1939_NLA_BYTES_ACKED` (Linux value 1).
pub const J1939_NLA_BYTES_ACKED: i32 = 1;
/// AF_CAN J1939 constant: `J1939_MAX_UNICAST_ADDR` (Linux value 253).
pub const J1939_MAX_UNICAST_ADDR: i32 = 253;
/// AF_CAN J1939 constant: `J1939_IDLE_ADDR` (Linux value 254).
pub const J1939_IDLE_ADDR: i32 = 254;
/// AF_CAN J1939 constant: `J1939_NO_ADDR` (Linux value 255).
pub const J1939_NO_ADDR: i32 = 255;
/// AF_CAN J1939 constant: `J1939_FILTER_MAX` (Linux value 512).
pub const J1939_FILTER_MAX: i32 = 512;
/// AF_CAN J1939 constant: `J1939_PGN_REQUEST` (Linux value 59904).
pub const J1939_PGN_REQUEST: i32 = 0xea00;
/// AF_CAN J1939 constant: `J1939_PGN_ADDRESS_CLAIMED` (Linux value 60928).
pub const J1939_PGN_ADDRESS_CLAIMED: i32 = 0xee00;
/// AF_CAN J1939 constant: `J1939_PGN_ADDRESS_COMMANDED` (Linux value 65240).
pub const J1939_PGN_ADDRESS_COMMANDED: i32 = 0xfed8;
/// AF_CAN J1939 constant: `J1939_PGN_PDU1_MAX` (Linux value 261888).
pub const J1939_PGN_PDU1_MAX: i32 = 0x3ff00;
/// AF_CAN J1939 constant: `J1939_PGN_MAX` (Linux value 262143).
pub const J1939_PGN_MAX: i32 = 0x3ffff;
/// AF_CAN J1939 constant: `J1939_NO_PGN` (Linux value 262144).
pub const J1939_NO_PGN: i32 = 0x40000;

// send(2)/recv(2) flag
/// send(2)/recv(2) flag: `MSG_OOB` (Linux value 1).
pub const MSG_OOB: i32 = 1;
/// send(2)/recv(2) flag: `MSG_PEEK` (Linux value 2).
pub const MSG_PEEK: i32 = 2;
/// send(2)/recv(2) flag: `MSG_DONTROUTE` (Linux value 4).
pub const MSG_DONTROUTE: i32 = 4;
/// send(2)/recv(2) flag: `MSG_CTRUNC` (Linux value 8).
pub const MSG_CTRUNC: i32 = 8;
/// send(2)/recv(2) flag: `MSG_TRUNC` (Linux value 32).
pub const MSG_TRUNC: i32 = 32;
/// send(2)/recv(2) flag: `MSG_DONTWAIT` (Linux value 64).
pub const MSG_DONTWAIT: i32 = 64;
/// send(2)/recv(2) flag: `MSG_EOR` (Linux value 128).
pub const MSG_EOR: i32 = 128;
/// send(2)/recv(2) flag: `MSG_WAITALL` (Linux value 256).
pub const MSG_WAITALL: i32 = 256;
/// send(2)/recv(2) flag: `MSG_CONFIRM` (Linux value 2048).
pub const MSG_CONFIRM: i32 = 2048;
/// send(2)/recv(2) flag: `MSG_ERRQUEUE` (Linux value 8192).
pub const MSG_ERRQUEUE: i32 = 0x2000;
/// send(2)/recv(2) flag: `MSG_NOSIGNAL` (Linux value 16384).
pub const MSG_NOSIGNAL: i32 = 0x4000;
/// send(2)/recv(2) flag: `MSG_MORE` (Linux value 32768).
pub const MSG_MORE: i32 = 0x8000;
/// send(2)/recv(2) flag: `MSG_FASTOPEN` (Linux value 536870912).
pub const MSG_FASTOPEN: i32 = 0x20000000;
/// send(2)/recv(2) flag: `MSG_CMSG_CLOEXEC` (Linux value 1073741824).
pub const MSG_CMSG_CLOEXEC: i32 = 0x40000000;

// AF_NETLINK protocol
/// AF_NETLINK protocol: `NETLINK_ROUTE` (Linux value 0).
pub const NETLINK_ROUTE: i32 = 0;
/// AF_NETLINK protocol: `NETLINK_USERSOCK` (Linux value 2).
pub const NETLINK_USERSOCK: i32 = 2;
/// AF_NETLINK protocol: `NETLINK_FIREWALL` (Linux value 3).
pub const NETLINK_FIREWALL: i32 = 3;
/// AF_NETLINK protocol: `NETLINK_NFLOG` (Linux value 5).
pub const NETLINK_NFLOG: i32 = 5;
/// AF_NETLINK protocol: `NETLINK_XFRM` (Linux value 6).
pub const NETLINK_XFRM: i32 = 6;
/// AF_NETLINK protocol: `NETLINK_IP6_FW` (Linux value 13).
pub const NETLINK_IP6_FW: i32 = 13;
/// AF_NETLINK protocol: `NETLINK_DNRTMSG` (Linux value 14).
pub const NETLINK_DNRTMSG: i32 = 14;
/// AF_NETLINK protocol: `NETLINK_CRYPTO` (Linux value 21).
pub const NETLINK_CRYPTO: i32 = 21;

// getnameinfo(3) flag or limit
/// getnameinfo(3) flag or limit: `NI_NUMERICHOST` (Linux value 1).
pub const NI_NUMERICHOST: i32 = 1;
/// getnameinfo(3) flag or limit: `NI_NUMERICSERV` (Linux value 2).
pub const NI_NUMERICSERV: i32 = 2;
/// getnameinfo(3) flag or limit: `NI_NOFQDN` (Linux value 4).
pub const NI_NOFQDN: i32 = 4;
/// getnameinfo(3) flag or limit: `NI_NAMEREQD` (Linux value 8).
pub const NI_NAMEREQD: i32 = 8;
/// getnameinfo(3) flag or limit: `NI_DGRAM` (Linux value 16).
pub const NI_DGRAM: i32 = 16;
/// getnameinfo(3) flag or limit: `NI_MAXSERV` (Linux value 32).
pub const NI_MAXSERV: i32 = 32;
/// getnameinfo(3) flag or limit: `NI_MAXHOST` (Linux value 1025).
pub const NI_MAXHOST: i32 = 1025;

// AF_PACKET packet type
/// AF_PACKET packet type: `PACKET_HOST` (Linux value 0).
pub const PACKET_HOST: i32 = 0;
/// AF_PACKET packet type: `PACKET_BROADCAST` (Linux value 1).
pub const PACKET_BROADCAST: i32 = 1;
/// AF_PACKET packet type: `PACKET_MULTICAST` (Linux value 2).
pub const PACKET_MULTICAST: i32 = 2;
/// AF_PACKET packet type: `PACKET_OTHERHOST` (Linux value 3).
pub const PACKET_OTHERHOST: i32 = 3;
/// AF_PACKET packet type: `PACKET_OUTGOING` (Linux value 4).
pub const PACKET_OUTGOING: i32 = 4;
/// AF_PACKET packet type: `PACKET_LOOPBACK` (Linux value 5).
pub const PACKET_LOOPBACK: i32 = 5;
/// AF_PACKET packet type: `PACKET_FASTROUTE` (Linux value 6).
pub const PACKET_FASTROUTE: i32 = 6;

// Protocol family
/// Protocol family: `PF_PACKET` (Linux value 17).
pub const PF_PACKET: i32 = 17;
/// Protocol family: `PF_RDS` (Linux value 21).
pub const PF_RDS: i32 = 21;
/// Protocol family: `PF_CAN` (Linux value 29).
pub const PF_CAN: i32 = 29;

// Socket-level control message type (cmsg_type)
/// Socket-level control message type (cmsg_type): `SCM_J1939_DEST_ADDR` (Linux value 1).
pub const SCM_J1939_DEST_ADDR: i32 = 1;
/// Socket-level control message type (cmsg_type): `SCM_RIGHTS` (Linux value 1).
pub const SCM_RIGHTS: i32 = 1;
/// Socket-level control message type (cmsg_type): `SCM_CREDENTIALS` (Linux value 2).
pub const SCM_CREDENTIALS: i32 = 2;
/// Socket-level control message type (cmsg_type): `SCM_J1939_DEST_NAME` (Linux value 2).
pub const SCM_J1939_DEST_NAME: i32 = 2;
/// Socket-level control message type (cmsg_type): `SCM_J1939_PRIO` (Linux value 3).
pub const SCM_J1939_PRIO: i32 = 3;
/// Socket-level control message type (cmsg_type): `SCM_J1939_ERRQUEUE` (Linux value 4).
pub const SCM_J1939_ERRQUEUE: i32 = 4;

// shutdown(2) `how`
/// shutdown(2) `how`: `SHUT_RD` (Linux value 0).
pub const SHUT_RD: i32 = 0;
/// shutdown(2) `how`: `SHUT_WR` (Linux value 1).
pub const SHUT_WR: i32 = 1;
/// shutdown(2) `how`: `SHUT_RDWR` (Linux value 2).
pub const SHUT_RDWR: i32 = 2;

// SOL_SOCKET option
/// SOL_SOCKET option: `SO_VM_SOCKETS_BUFFER_SIZE` (Linux value 0).
pub const SO_VM_SOCKETS_BUFFER_SIZE: i32 = 0;
/// SOL_SOCKET option: `SO_DEBUG` (Linux value 1).
pub const SO_DEBUG: i32 = 1;
/// SOL_SOCKET option: `SO_J1939_FILTER` (Linux value 1).
pub const SO_J1939_FILTER: i32 = 1;
/// SOL_SOCKET option: `SO_VM_SOCKETS_BUFFER_MIN_SIZE` (Linux value 1).
pub const SO_VM_SOCKETS_BUFFER_MIN_SIZE: i32 = 1;
/// SOL_SOCKET option: `SO_J1939_PROMISC` (Linux value 2).
pub const SO_J1939_PROMISC: i32 = 2;
/// SOL_SOCKET option: `SO_REUSEADDR` (Linux value 2).
pub const SO_REUSEADDR: i32 = 2;
/// SOL_SOCKET option: `SO_VM_SOCKETS_BUFFER_MAX_SIZE` (Linux value 2).
pub const SO_VM_SOCKETS_BUFFER_MAX_SIZE: i32 = 2;
/// SOL_SOCKET option: `SO_J1939_SEND_PRIO` (Linux value 3).
pub const SO_J1939_SEND_PRIO: i32 = 3;
/// SOL_SOCKET option: `SO_TYPE` (Linux value 3).
pub const SO_TYPE: i32 = 3;
/// SOL_SOCKET option: `SO_ERROR` (Linux value 4).
pub const SO_ERROR: i32 = 4;
/// SOL_SOCKET option: `SO_J1939_ERRQUEUE` (Linux value 4).
pub const SO_J1939_ERRQUEUE: i32 = 4;
/// SOL_SOCKET option: `SO_DONTROUTE` (Linux value 5).
pub const SO_DONTROUTE: i32 = 5;
/// SOL_SOCKET option: `SO_BROADCAST` (Linux value 6).
pub const SO_BROADCAST: i32 = 6;
/// SOL_SOCKET option: `SO_SNDBUF` (Linux value 7).
pub const SO_SNDBUF: i32 = 7;
/// SOL_SOCKET option: `SO_RCVBUF` (Linux value 8).
pub const SO_RCVBUF: i32 = 8;
/// SOL_SOCKET option: `SO_KEEPALIVE` (Linux value 9).
pub const SO_KEEPALIVE: i32 = 9;
/// SOL_SOCKET option: `SO_OOBINLINE` (Linux value 10).
pub const SO_OOBINLINE: i32 = 10;
/// SOL_SOCKET option: `SO_PRIORITY` (Linux value 12).
pub const SO_PRIORITY: i32 = 12;
/// SOL_SOCKET option: `SO_LINGER` (Linux value 13).
pub const SO_LINGER: i32 = 13;
/// SOL_SOCKET option: `SO_REUSEPORT` (Linux value 15).
pub const SO_REUSEPORT: i32 = 15;
/// SOL_SOCKET option: `SO_PASSCRED` (Linux value 16).
pub const SO_PASSCRED: i32 = 16;
/// SOL_SOCKET option: `SO_PEERCRED` (Linux value 17).
pub const SO_PEERCRED: i32 = 17;
/// SOL_SOCKET option: `SO_RCVLOWAT` (Linux value 18).
pub const SO_RCVLOWAT: i32 = 18;
/// SOL_SOCKET option: `SO_SNDLOWAT` (Linux value 19).
pub const SO_SNDLOWAT: i32 = 19;
/// SOL_SOCKET option: `SO_RCVTIMEO` (Linux value 20).
pub const SO_RCVTIMEO: i32 = 20;
/// SOL_SOCKET option: `SO_SNDTIMEO` (Linux value 21).
pub const SO_SNDTIMEO: i32 = 21;
/// SOL_SOCKET option: `SO_BINDTODEVICE` (Linux value 25).
pub const SO_BINDTODEVICE: i32 = 25;
/// SOL_SOCKET option: `SO_ACCEPTCONN` (Linux value 30).
pub const SO_ACCEPTCONN: i32 = 30;
/// SOL_SOCKET option: `SO_PEERSEC` (Linux value 31).
pub const SO_PEERSEC: i32 = 31;
/// SOL_SOCKET option: `SO_PASSSEC` (Linux value 34).
pub const SO_PASSSEC: i32 = 34;
/// SOL_SOCKET option: `SO_MARK` (Linux value 36).
pub const SO_MARK: i32 = 36;
/// SOL_SOCKET option: `SO_PROTOCOL` (Linux value 38).
pub const SO_PROTOCOL: i32 = 38;
/// SOL_SOCKET option: `SO_DOMAIN` (Linux value 39).
pub const SO_DOMAIN: i32 = 39;
/// SOL_SOCKET option: `SO_INCOMING_CPU` (Linux value 49).
pub const SO_INCOMING_CPU: i32 = 49;

// Socket type (socket(2) `type`)
/// Socket type (socket(2) `type`): `SOCK_STREAM` (Linux value 1).
pub const SOCK_STREAM: i32 = 1;
/// Socket type (socket(2) `type`): `SOCK_DGRAM` (Linux value 2).
pub const SOCK_DGRAM: i32 = 2;
/// Socket type (socket(2) `type`): `SOCK_RAW` (Linux value 3).
pub const SOCK_RAW: i32 = 3;
/// Socket type (socket(2) `type`): `SOCK_RDM` (Linux value 4).
pub const SOCK_RDM: i32 = 4;
/// Socket type (socket(2) `type`): `SOCK_SEQPACKET` (Linux value 5).
pub const SOCK_SEQPACKET: i32 = 5;
/// Socket type (socket(2) `type`): `SOCK_NONBLOCK` (Linux value 2048).
pub const SOCK_NONBLOCK: i32 = 2048;
/// Socket type (socket(2) `type`): `SOCK_CLOEXEC` (Linux value 524288).
pub const SOCK_CLOEXEC: i32 = 0x80000;

// Option level (setsockopt(2) `level`)
/// Option level (setsockopt(2) `level`): `SOL_IP` (Linux value 0).
pub const SOL_IP: i32 = 0;
/// Option level (setsockopt(2) `level`): `SOL_SOCKET` (Linux value 1).
pub const SOL_SOCKET: i32 = 1;
/// Option level (setsockopt(2) `level`): `SOL_TCP` (Linux value 6).
pub const SOL_TCP: i32 = 6;
/// Option level (setsockopt(2) `level`): `SOL_UDP` (Linux value 17).
pub const SOL_UDP: i32 = 17;
/// Option level (setsockopt(2) `level`): `SOL_CAN_BASE` (Linux value 100).
pub const SOL_CAN_BASE: i32 = 100;
/// Option level (setsockopt(2) `level`): `SOL_CAN_RAW` (Linux value 101).
pub const SOL_CAN_RAW: i32 = 101;
/// Option level (setsockopt(2) `level`): `SOL_TIPC` (Linux value 271).
pub const SOL_TIPC: i32 = 271;
/// Option level (setsockopt(2) `level`): `SOL_RDS` (Linux value 276).
pub const SOL_RDS: i32 = 276;
/// Option level (setsockopt(2) `level`): `SOL_ALG` (Linux value 279).
pub const SOL_ALG: i32 = 279;

// The maximum listen(2) backlog (`SOMAXCONN`)
/// The maximum listen(2) backlog (`SOMAXCONN`): `SOMAXCONN` (Linux value 4096).
pub const SOMAXCONN: i32 = 0x1000;

// IPPROTO_TCP option
/// IPPROTO_TCP option: `TCP_NODELAY` (Linux value 1).
pub const TCP_NODELAY: i32 = 1;
/// IPPROTO_TCP option: `TCP_MAXSEG` (Linux value 2).
pub const TCP_MAXSEG: i32 = 2;
/// IPPROTO_TCP option: `TCP_CORK` (Linux value 3).
pub const TCP_CORK: i32 = 3;
/// IPPROTO_TCP option: `TCP_KEEPIDLE` (Linux value 4).
pub const TCP_KEEPIDLE: i32 = 4;
/// IPPROTO_TCP option: `TCP_KEEPINTVL` (Linux value 5).
pub const TCP_KEEPINTVL: i32 = 5;
/// IPPROTO_TCP option: `TCP_KEEPCNT` (Linux value 6).
pub const TCP_KEEPCNT: i32 = 6;
/// IPPROTO_TCP option: `TCP_SYNCNT` (Linux value 7).
pub const TCP_SYNCNT: i32 = 7;
/// IPPROTO_TCP option: `TCP_LINGER2` (Linux value 8).
pub const TCP_LINGER2: i32 = 8;
/// IPPROTO_TCP option: `TCP_DEFER_ACCEPT` (Linux value 9).
pub const TCP_DEFER_ACCEPT: i32 = 9;
/// IPPROTO_TCP option: `TCP_WINDOW_CLAMP` (Linux value 10).
pub const TCP_WINDOW_CLAMP: i32 = 10;
/// IPPROTO_TCP option: `TCP_INFO` (Linux value 11).
pub const TCP_INFO: i32 = 11;
/// IPPROTO_TCP option: `TCP_QUICKACK` (Linux value 12).
pub const TCP_QUICKACK: i32 = 12;
/// IPPROTO_TCP option: `TCP_CONGESTION` (Linux value 13).
pub const TCP_CONGESTION: i32 = 13;
/// IPPROTO_TCP option: `TCP_USER_TIMEOUT` (Linux value 18).
pub const TCP_USER_TIMEOUT: i32 = 18;
/// IPPROTO_TCP option: `TCP_FASTOPEN` (Linux value 23).
pub const TCP_FASTOPEN: i32 = 23;
/// IPPROTO_TCP option: `TCP_NOTSENT_LOWAT` (Linux value 25).
pub const TCP_NOTSENT_LOWAT: i32 = 25;

// AF_TIPC constant
/// AF_TIPC constant: `TIPC_WAIT_FOREVER` (Linux value -1).
pub const TIPC_WAIT_FOREVER: i32 = -1;
/// AF_TIPC constant: `TIPC_CFG_SRV` (Linux value 0).
pub const TIPC_CFG_SRV: i32 = 0;
/// AF_TIPC constant: `TIPC_LOW_IMPORTANCE` (Linux value 0).
pub const TIPC_LOW_IMPORTANCE: i32 = 0;
/// AF_TIPC constant: `TIPC_ADDR_NAMESEQ` (Linux value 1).
pub const TIPC_ADDR_NAMESEQ: i32 = 1;
/// AF_TIPC constant: `TIPC_MEDIUM_IMPORTANCE` (Linux value 1).
pub const TIPC_MEDIUM_IMPORTANCE: i32 = 1;
/// AF_TIPC constant: `TIPC_PUBLISHED` (Linux value 1).
pub const TIPC_PUBLISHED: i32 = 1;
/// AF_TIPC constant: `TIPC_SUB_PORTS` (Linux value 1).
pub const TIPC_SUB_PORTS: i32 = 1;
/// AF_TIPC constant: `TIPC_TOP_SRV` (Linux value 1).
pub const TIPC_TOP_SRV: i32 = 1;
/// AF_TIPC constant: `TIPC_ZONE_SCOPE` (Linux value 1).
pub const TIPC_ZONE_SCOPE: i32 = 1;
/// AF_TIPC constant: `TIPC_ADDR_NAME` (Linux value 2).
pub const TIPC_ADDR_NAME: i32 = 2;
/// AF_TIPC constant: `TIPC_CLUSTER_SCOPE` (Linux value 2).
pub const TIPC_CLUSTER_SCOPE: i32 = 2;
/// AF_TIPC constant: `TIPC_HIGH_IMPORTANCE` (Linux value 2).
pub const TIPC_HIGH_IMPORTANCE: i32 = 2;
/// AF_TIPC constant: `TIPC_SUB_SERVICE` (Linux value 2).
pub const TIPC_SUB_SERVICE: i32 = 2;
/// AF_TIPC constant: `TIPC_WITHDRAWN` (Linux value 2).
pub const TIPC_WITHDRAWN: i32 = 2;
/// AF_TIPC constant: `TIPC_ADDR_ID` (Linux value 3).
pub const TIPC_ADDR_ID: i32 = 3;
/// AF_TIPC constant: `TIPC_CRITICAL_IMPORTANCE` (Linux value 3).
pub const TIPC_CRITICAL_IMPORTANCE: i32 = 3;
/// AF_TIPC constant: `TIPC_NODE_SCOPE` (Linux value 3).
pub const TIPC_NODE_SCOPE: i32 = 3;
/// AF_TIPC constant: `TIPC_SUBSCR_TIMEOUT` (Linux value 3).
pub const TIPC_SUBSCR_TIMEOUT: i32 = 3;
/// AF_TIPC constant: `TIPC_SUB_CANCEL` (Linux value 4).
pub const TIPC_SUB_CANCEL: i32 = 4;
/// AF_TIPC constant: `TIPC_IMPORTANCE` (Linux value 127).
pub const TIPC_IMPORTANCE: i32 = 127;
/// AF_TIPC constant: `TIPC_SRC_DROPPABLE` (Linux value 128).
pub const TIPC_SRC_DROPPABLE: i32 = 128;
/// AF_TIPC constant: `TIPC_DEST_DROPPABLE` (Linux value 129).
pub const TIPC_DEST_DROPPABLE: i32 = 129;
/// AF_TIPC constant: `TIPC_CONN_TIMEOUT` (Linux value 130).
pub const TIPC_CONN_TIMEOUT: i32 = 130;

// IPPROTO_UDPLITE option
/// IPPROTO_UDPLITE option: `UDPLITE_SEND_CSCOV` (Linux value 10).
pub const UDPLITE_SEND_CSCOV: i32 = 10;
/// IPPROTO_UDPLITE option: `UDPLITE_RECV_CSCOV` (Linux value 11).
pub const UDPLITE_RECV_CSCOV: i32 = 11;

// AF_VSOCK constant
/// AF_VSOCK constant: `VM_SOCKETS_INVALID_VERSION` (Linux value 4294967295).
pub const VM_SOCKETS_INVALID_VERSION: u32 = 0xffffffff;

// AF_VSOCK special address
/// AF_VSOCK special address: `VMADDR_CID_HOST` (Linux value 2).
pub const VMADDR_CID_HOST: u32 = 2;
/// AF_VSOCK special address: `VMADDR_CID_ANY` (Linux value 4294967295).
pub const VMADDR_CID_ANY: u32 = 0xffffffff;
/// AF_VSOCK special address: `VMADDR_PORT_ANY` (Linux value 4294967295).
pub const VMADDR_PORT_ANY: u32 = 0xffffffff;

// Bluetooth (present in CPython builds with Bluetooth headers)
/// Address family (socket(2) `domain`): `AF_BLUETOOTH` (Linux value 31).
pub const AF_BLUETOOTH: i32 = 31;
/// Bluetooth protocol: `BTPROTO_L2CAP` (Linux value 0).
pub const BTPROTO_L2CAP: i32 = 0;
/// Bluetooth protocol: `BTPROTO_HCI` (Linux value 1).
pub const BTPROTO_HCI: i32 = 1;
/// Bluetooth protocol: `BTPROTO_SCO` (Linux value 2).
pub const BTPROTO_SCO: i32 = 2;
/// Bluetooth protocol: `BTPROTO_RFCOMM` (Linux value 3).
pub const BTPROTO_RFCOMM: i32 = 3;

/// Whether the module supports IPv6 (Python's `socket.has_ipv6`).
pub const has_ipv6: bool = true;

// Linux options newer CPython versions (or only C) name; reachable through
// `setsockopt` / `getsockopt` like the rest.
/// SOL_SOCKET option: `SO_TIMESTAMPING` (Linux value 37).
pub const SO_TIMESTAMPING: i32 = 37;
/// SOL_SOCKET option: `SO_BINDTOIFINDEX` (Linux value 62).
pub const SO_BINDTOIFINDEX: i32 = 62;
/// IPPROTO_IP option: `IP_PKTINFO` (Linux value 8).
pub const IP_PKTINFO: i32 = 8;
/// IPPROTO_IP option: `IP_RECVERR` (Linux value 11).
pub const IP_RECVERR: i32 = 11;
/// IPPROTO_IP option: `IP_RECVTTL` (Linux value 12).
pub const IP_RECVTTL: i32 = 12;
/// IPPROTO_IP option: `IP_RECVORIGDSTADDR` (Linux value 20).
pub const IP_RECVORIGDSTADDR: i32 = 20;
/// IPPROTO_IP option: `IP_UNBLOCK_SOURCE` (Linux value 37).
pub const IP_UNBLOCK_SOURCE: i32 = 37;
/// IPPROTO_IP option: `IP_BLOCK_SOURCE` (Linux value 38).
pub const IP_BLOCK_SOURCE: i32 = 38;
/// IPPROTO_IP option: `IP_ADD_SOURCE_MEMBERSHIP` (Linux value 39).
pub const IP_ADD_SOURCE_MEMBERSHIP: i32 = 39;
/// IPPROTO_IP option: `IP_DROP_SOURCE_MEMBERSHIP` (Linux value 40).
pub const IP_DROP_SOURCE_MEMBERSHIP: i32 = 40;
/// IPPROTO_IP option: `IP_MULTICAST_ALL` (Linux value 49).
pub const IP_MULTICAST_ALL: i32 = 49;
/// ioctl request: `FIONREAD` (Linux value 0x541b), bytes waiting.
pub const FIONREAD: u64 = 0x541b;
/// ioctl request: `SIOCINQ` (= FIONREAD).
pub const SIOCINQ: u64 = 0x541b;
/// ioctl request: `SIOCOUTQ` (Linux value 0x5411).
pub const SIOCOUTQ: u64 = 0x5411;
/// ioctl request: `SIOCOUTQNSD` (Linux value 0x894b).
pub const SIOCOUTQNSD: u64 = 0x894b;
/// ioctl request: `SIOCATMARK` (Linux value 0x8905).
pub const SIOCATMARK: u64 = 0x8905;
/// ioctl request: `SIOCGSTAMP` (Linux value 0x8906).
pub const SIOCGSTAMP: u64 = 0x8906;
/// ioctl request: `SIOCGSTAMPNS` (Linux value 0x8907).
pub const SIOCGSTAMPNS: u64 = 0x8907;
/// ioctl request: `SIOCGIFNAME` (Linux value 0x8910).
pub const SIOCGIFNAME: u64 = 0x8910;
/// ioctl request: `SIOCGIFFLAGS` (Linux value 0x8913).
pub const SIOCGIFFLAGS: u64 = 0x8913;
/// ioctl request: `SIOCGIFADDR` (Linux value 0x8915).
pub const SIOCGIFADDR: u64 = 0x8915;
/// ioctl request: `SIOCGIFDSTADDR` (Linux value 0x8917).
pub const SIOCGIFDSTADDR: u64 = 0x8917;
/// ioctl request: `SIOCGIFBRDADDR` (Linux value 0x8919).
pub const SIOCGIFBRDADDR: u64 = 0x8919;
/// ioctl request: `SIOCGIFNETMASK` (Linux value 0x891b).
pub const SIOCGIFNETMASK: u64 = 0x891b;
/// ioctl request: `SIOCGIFMTU` (Linux value 0x8921).
pub const SIOCGIFMTU: u64 = 0x8921;
/// ioctl request: `SIOCGIFHWADDR` (Linux value 0x8927).
pub const SIOCGIFHWADDR: u64 = 0x8927;
/// ioctl request: `SIOCGIFINDEX` (Linux value 0x8933).
pub const SIOCGIFINDEX: u64 = 0x8933;
