// swift-tools-version:6.2
import PackageDescription

/// Every `Migrations/NNNN_*.sql`, shipped as a resource of the `Migrations` target. Listed by
/// name, not read from the directory: SwiftPM evaluates this manifest again only when its text
/// changes, so a listing would miss a new file. A test checks that the list and the folder agree.
let migrationFiles = [
    "0001_create_tenancy.sql",
    "0002_create_accounts_contacts.sql",
    "0003_create_plans_subscriptions.sql",
    "0004_create_billing.sql",
    "0005_create_sales.sql",
    "0006_create_cases.sql",
    "0007_create_audit_webhooks.sql",
    "0008_create_imports.sql",
    "0009_create_teams.sql",
    "0010_audit_cases.sql",
    "0011_audit_sales.sql",
    "0012_restrict_record_access.sql",
    "0013_create_custom_fields.sql",
    "0014_create_search.sql",
    "0015_attach_activities_to_cases.sql",
    "0016_import_leads.sql",
    "0017_audit_settings_and_members.sql",
    "0018_create_campaigns.sql",
    "0019_drop_trigram_indexes.sql",
]

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "guanxi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "guanxi", targets: ["guanxi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "GuanxiCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Migrations",
            path: "Migrations",
            sources: ["Migrations.swift"],
            resources: migrationFiles.map { .copy($0) },
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Database",
            dependencies: [
                "GuanxiCore", "Migrations",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Tenancy",
            dependencies: [
                "GuanxiCore", "Database",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CRM",
            dependencies: [
                "GuanxiCore", "Database", "Tenancy",
                // webhook delivery: outbound HTTP, signatures, a background service
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Subscriptions",
            dependencies: ["GuanxiCore", "Database", "Tenancy"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Quotas",
            dependencies: [
                "GuanxiCore", "Database", "Tenancy", "Subscriptions",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Billing",
            dependencies: ["GuanxiCore", "Database", "Tenancy", "Subscriptions", "Quotas"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "GuanxiCore", "Database", "Tenancy", "CRM", "Subscriptions", "Quotas", "Billing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "guanxi",
            dependencies: [
                "Gateway", "Database", "Tenancy", "Subscriptions", "Billing", "GuanxiCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GuanxiTests",
            dependencies: [
                "Gateway", "Database", "Tenancy", "CRM", "Subscriptions", "Quotas", "Billing", "GuanxiCore", "Migrations",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
