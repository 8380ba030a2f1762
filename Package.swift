// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ocsp-responder",
    products: [
        .executable(name: "ocsp-responder", targets: ["ocsp-responder"]),
        .executable(name: "ocsp-responder-commands", targets: ["ocsp-responder-commands"]),
        // libFuzzer targets (scripts/fuzz.sh builds them with -sanitize=fuzzer); plain builds make replay tools.
        .executable(name: "FuzzRespond", targets: ["FuzzRespond"]),
        .executable(name: "FuzzRequestParser", targets: ["FuzzRequestParser"]),
        .executable(name: "FuzzHTTPServer", targets: ["FuzzHTTPServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // `serve`'s /metrics: the Prometheus registry and its text exposition (Sources/OCSPServer/Metrics).
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Tests only: property-based round trips.
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // C libraries, each behind a system-library module imported by exactly one Swift module.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        // Linux interfaces glibc declares only under _GNU_SOURCE (O_PATH, fallocate, getresuid) or Swift cannot call (prctl).
        .systemLibrary(name: "CLinux"),
        // The PKCS#11 header only (vendored from p11-kit): modules are loaded with dlopen, nothing is linked.
        .systemLibrary(name: "CPKCS11"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // The wire: the RFC 6960 and RFC 5280 types on swift-asn1, one file per type; DER, PEM and hex text.
        .target(
            name: "OCSPWire",
            dependencies: [.product(name: "SwiftASN1", package: "swift-asn1")]
        ),
        // The decisions, pure: which CA, which status, what answer, whether a stored response is sound.
        // No C, no files, no database, no clock of its own.
        .target(
            name: "OCSPCore",
            dependencies: ["OCSPWire", .product(name: "SwiftASN1", package: "swift-asn1")]
        ),
        // `inspect --lint`: a response held to RFC 6960 / 9919 / 9654 and the clients' rules, with DER locations.
        // Pure like OCSPCore: signatures and hashes come from the caller.
        .target(
            name: "OCSPLint",
            dependencies: ["OCSPWire", "OCSPCore", .product(name: "SwiftASN1", package: "swift-asn1")]
        ),
        // Keys, certificates, digests and signatures on OpenSSL's libcrypto; keys on a PKCS#11 token.
        .target(
            name: "OCSPCrypto",
            dependencies: ["COpenSSL", "CPKCS11", "OCSPWire", "OCSPCore"]
        ),
        // The status table: the store protocol every backend implements, its rows, transactions.
        .target(
            name: "OCSPStore",
            dependencies: ["OCSPWire", "OCSPCore"]
        ),
        // The status table in MariaDB, through Connector/C.
        .target(
            name: "OCSPStoreMariaDB",
            dependencies: ["CMariaDB", "CLinux", "OCSPWire", "OCSPCore", "OCSPStore", .product(name: "Logging", package: "swift-log")]
        ),
        // The same table in an SQLite file, for a responder with no database server.
        .target(
            name: "OCSPStoreSQLite",
            dependencies: ["CSQLite", "OCSPWire", "OCSPCore", "OCSPStore"]
        ),
        // What every command runs on: configuration, logging, files, the process (watchdog, clock, exit
        // statuses), the sudo boundary, the response cache, and the one start-up (config to authorities).
        .target(
            name: "OCSPRuntime",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPStore", "OCSPStoreMariaDB", "OCSPStoreSQLite", "CLinux",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `respond`: one request file in, one response out.
        .target(
            name: "OCSPRespond",
            dependencies: ["OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPRuntime", .product(name: "Logging", package: "swift-log")]
        ),
        // The operator's commands: `db`, `resign`, `sign`.
        .target(
            name: "OCSPAdmin",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPStore", "OCSPRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The client side: `request`, `inspect`, `check`.
        .target(
            name: "OCSPClient",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPRuntime", "OCSPLint",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `serve`: the respond pipeline behind an HTTP/1.1 server on SwiftNIO, with a pool of worker threads
        // that each own their database connections.
        .target(
            name: "OCSPServer",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPStore", "OCSPStoreMariaDB", "OCSPRuntime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The version, set in one place, with the checkout's `git describe` from the plugin below.
        .target(name: "OCSPVersion", plugins: ["GitDescription"]),
        .plugin(name: "GitDescription", capability: .buildTool()),

        // The program the socket app and sudo call: `respond` in its plain forms, linking neither NIO nor
        // ArgumentParser (a process runs per request, so what it links is paid on every answer); anything
        // else it hands to `ocsp-responder-commands` beside it.
        .executableTarget(
            name: "ocsp-responder",
            dependencies: ["OCSPRespond", "OCSPRuntime", "OCSPVersion"],
            linkerSettings: [
                // What the dynamic loader does at every start, less (release builds, the shipped one):
                // lld packs the 38,000 relative relocations of the PIE into a few KiB (DT_RELR, which
                // glibc 2.36 and later apply), and the executable exports no symbols (the static Swift
                // runtime's `-export-dynamic` put 4,900 in its dynamic symbol table; nothing looks them up).
                .unsafeFlags(
                    ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                    .when(platforms: [.linux], configuration: .release)
                ),
            ]
        ),
        // Every command, through ArgumentParser: a thin root command, one file per subcommand.
        .executableTarget(
            name: "ocsp-responder-commands",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPRuntime", "OCSPRespond", "OCSPAdmin", "OCSPClient", "OCSPServer", "OCSPStore", "OCSPVersion",
                "OCSPLint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // What the fuzzers drive, shared with the regression test that replays their findings.
        .target(name: "OCSPFuzzing", dependencies: ["OCSPWire", "OCSPCore", "OCSPCrypto"]),
        .executableTarget(name: "FuzzRespond", dependencies: ["OCSPFuzzing"]),
        .executableTarget(name: "FuzzRequestParser", dependencies: ["OCSPFuzzing"]),
        // `serve`'s connections over an EmbeddedChannel: the same handlers, a worker run inline, tables in memory.
        .target(
            name: "OCSPServerFuzzing",
            dependencies: [
                "OCSPFuzzing", "OCSPServer", "OCSPRuntime", "OCSPStore", "OCSPWire", "OCSPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(name: "FuzzHTTPServer", dependencies: ["OCSPFuzzing", "OCSPServerFuzzing"]),

        // Test helpers: the test PKI, the peers (openssl, Python cryptography), MariaDB and the binary.
        .target(
            name: "TestSupport",
            dependencies: ["OCSPWire", "OCSPCore", "OCSPLint", .product(name: "SwiftASN1", package: "swift-asn1")],
            path: "Tests/TestSupport"
        ),
        // In-process only: no openssl, no Python, no child process; fixtures are committed or built in Swift.
        .testTarget(
            name: "OCSPCoreTests",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPRuntime", "OCSPAdmin", "OCSPFuzzing", "OCSPServerFuzzing", "TestSupport", "OCSPLint",
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // The core's signed answers checked by the peers (openssl, Python cryptography) on the test PKI.
        .testTarget(
            name: "PeerTests",
            dependencies: ["OCSPWire", "OCSPCore", "OCSPCrypto", "TestSupport", .product(name: "SwiftASN1", package: "swift-asn1")]
        ),
        .testTarget(
            name: "ResponderTests",
            dependencies: [
                "OCSPWire", "OCSPCore", "OCSPCrypto", "OCSPStore", "OCSPStoreMariaDB", "OCSPStoreSQLite", "OCSPRuntime",
                "OCSPRespond", "OCSPAdmin", "OCSPClient", "OCSPServer", "TestSupport", "OCSPLint",
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
