// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ocsp-responder",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ocsp-responder", targets: ["ocsp-responder"]),
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
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // Pure OCSP: the ASN.1 types and the decision logic. No C, no files, no database.
        .target(
            name: "OCSPCore",
            dependencies: [.product(name: "SwiftASN1", package: "swift-asn1")]
        ),
        // Keys, certificates, digests and signatures on OpenSSL's libcrypto.
        .target(
            name: "OCSPCrypto",
            dependencies: ["COpenSSL", "OCSPCore"]
        ),
        // The certificate status table in MariaDB, through Connector/C.
        .target(
            name: "OCSPMariaDB",
            dependencies: ["CMariaDB", "OCSPCore"]
        ),
        // The same table in an SQLite file, for a responder with no database server.
        .target(
            name: "OCSPSQLite",
            dependencies: ["CSQLite", "OCSPCore"]
        ),
        // What a run needs around the core: config, logging, files, and the respond pipeline.
        .target(
            name: "OCSPService",
            dependencies: [
                "OCSPCore", "OCSPCrypto", "OCSPMariaDB", "OCSPSQLite", "CLinux",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `serve`: the respond pipeline behind an HTTP/1.1 server on SwiftNIO, with a pool of worker threads
        // that each own their database connections.
        .target(
            name: "OCSPServer",
            dependencies: [
                "OCSPService", "OCSPCore", "OCSPCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ocsp-responder",
            dependencies: [
                "OCSPService", "OCSPCore", "OCSPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // What the fuzzers drive, shared with the regression test that replays their findings.
        .target(name: "OCSPFuzzing", dependencies: ["OCSPCore", "OCSPCrypto"]),
        .executableTarget(name: "FuzzRespond", dependencies: ["OCSPFuzzing"]),
        .executableTarget(name: "FuzzRequestParser", dependencies: ["OCSPFuzzing"]),
        // `serve`'s connections over an EmbeddedChannel: the same handlers, a worker run inline, tables in memory.
        .target(
            name: "OCSPServerFuzzing",
            dependencies: [
                "OCSPFuzzing", "OCSPServer", "OCSPService", "OCSPCore",
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
            dependencies: ["OCSPCore"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "OCSPCoreTests",
            dependencies: ["OCSPCore", "OCSPCrypto", "OCSPFuzzing", "OCSPServerFuzzing", "TestSupport", .product(name: "SwiftASN1", package: "swift-asn1")]
        ),
        .testTarget(
            name: "ResponderTests",
            dependencies: [
                "OCSPCore", "OCSPService", "OCSPCrypto", "OCSPMariaDB", "OCSPSQLite", "OCSPServer", "TestSupport",
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ]
)
