import Foundation
import GuanxiCore
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster under a data directory, run from the system's binaries: what
/// `guanxi serve` uses when no database URL is given, and what `make test` starts for the tests.
/// PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
/// It listens on a Unix socket inside the data directory only, never on a TCP port.
public struct EmbeddedPostgres: Sendable {
    public let root: URL
    var clusterDirectory: URL { root.appendingPathComponent("postgres") }
    var socketDirectory: URL { root.appendingPathComponent("run") }
    var logFile: URL { root.appendingPathComponent("postgres.log") }
    var secretsFile: URL { root.appendingPathComponent("postgres-secrets.json") }
    /// Faster, crash-unsafe settings for throw-away clusters (tests, benchmarks).
    let durable: Bool

    /// Passwords of the cluster's roles, generated once and kept beside the cluster (mode 0600).
    public struct Secrets: Codable, Sendable {
        public var superuser: String
        public var owner: String
        public var app: String
    }

    public init(dataDirectory: URL, durable: Bool = true) {
        self.root = dataDirectory.appendingPathComponent("db")
        self.durable = durable
    }

    /// The superuser's URL over the socket.
    public func superuserURL(_ secrets: Secrets) -> DatabaseURL {
        DatabaseURL(username: "postgres", password: secrets.superuser, database: "postgres",
                    socketDirectory: socketDirectory.path)
    }

    /// Creates the cluster if needed and starts it unless it already runs. Returns its secrets,
    /// and whether this call started it (and so should stop it).
    public func start() throws -> (secrets: Secrets, started: Bool) {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        let secrets = try loadOrCreateSecrets()
        let binaries = try Self.binaryDirectory()
        if !fileManager.fileExists(atPath: clusterDirectory.appendingPathComponent("PG_VERSION").path) {
            try? fileManager.removeItem(at: clusterDirectory)
            try fileManager.createDirectory(at: clusterDirectory, withIntermediateDirectories: true)
            let passwordFile = root.appendingPathComponent("initdb-password")
            try Data(secrets.superuser.utf8).write(to: passwordFile)
            defer { try? fileManager.removeItem(at: passwordFile) }
            try handToServerUser([clusterDirectory, socketDirectory, passwordFile])
            try runAsServerUser(binaries + "/initdb", [
                "-D", clusterDirectory.path, "-U", "postgres", "--pwfile", passwordFile.path,
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                "-E", "UTF8", "--locale=C.UTF-8",
            ])
        }
        try handToServerUser([socketDirectory])
        if (try? runAsServerUser(binaries + "/pg_ctl", ["-D", clusterDirectory.path, "status"])) != nil {
            return (secrets, false)
        }
        var options = "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory.path)' -c max_connections=200"
        if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        if !fileManager.fileExists(atPath: logFile.path) { _ = fileManager.createFile(atPath: logFile.path, contents: nil) }
        try handToServerUser([logFile])
        try runAsServerUser(binaries + "/pg_ctl", [
            "-D", clusterDirectory.path, "-l", logFile.path, "-w", "-t", "60", "-o", options, "start",
        ])
        return (secrets, true)
    }

    /// Stops the cluster (fast shutdown: open transactions roll back); quiet if it is not running.
    public func stop() throws {
        guard FileManager.default.fileExists(atPath: clusterDirectory.appendingPathComponent("postmaster.pid").path) else { return }
        try runAsServerUser(try Self.binaryDirectory() + "/pg_ctl", ["-D", clusterDirectory.path, "-m", "fast", "-w", "stop"])
    }

    /// The newest installed PostgreSQL's `bin`, or `GUANXI_POSTGRES_BIN`.
    static func binaryDirectory() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["GUANXI_POSTGRES_BIN"] { return configured }
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .compactMap(Int.init).sorted()
        guard let newest = versions.last(where: { FileManager.default.fileExists(atPath: "\(base)/\($0)/bin/initdb") }) else {
            throw GuanxiError(.unavailable, code: "postgres_not_installed",
                              message: "No PostgreSQL server binaries under \(base): install the `postgresql` package or set GUANXI_POSTGRES_BIN.")
        }
        return "\(base)/\(newest)/bin"
    }

    private func loadOrCreateSecrets() throws -> Secrets {
        if let data = try? Data(contentsOf: secretsFile) {
            return try JSONDecoder().decode(Secrets.self, from: data)
        }
        let secrets = Secrets(superuser: Self.randomSecret(), owner: Self.randomSecret(), app: Self.randomSecret())
        try JSONEncoder().encode(secrets).write(to: secretsFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretsFile.path)
        return secrets
    }

    /// Hex only, so a password is safe inside SQL and URLs.
    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    private var runningAsRoot: Bool { geteuid() == 0 }

    private func handToServerUser(_ paths: [URL]) throws {
        guard runningAsRoot else { return }
        try Self.run("/bin/chown", ["-R", "postgres:postgres"] + paths.map(\.path))
        try Self.run("/bin/chmod", ["0700", clusterDirectory.path])
    }

    @discardableResult
    private func runAsServerUser(_ executable: String, _ arguments: [String]) throws -> String {
        if runningAsRoot {
            return try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        }
        return try Self.run(executable, arguments)
    }

    /// Runs a command to its end; a non-zero exit throws with what it printed.
    ///
    /// Spawned directly rather than through Foundation's `Process`: `pg_ctl start` leaves a
    /// postmaster behind that would inherit `Process`'s descriptors (its pipe and its exit
    /// notification socket) and so block the wait forever. Here the child gets standard input
    /// from /dev/null and standard output and error into a file; our other descriptors are
    /// close-on-exec.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // env -C / runs it from the root directory, which the postgres user can always enter.
        let argv = (["/usr/bin/env", "-C", "/", executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw GuanxiError(.unavailable, code: "postgres_command_failed",
                              message: "Cannot run \(executable): \(String(cString: strerror(spawned))).")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            throw GuanxiError(.unavailable, code: "postgres_command_failed",
                              message: "\((executable as NSString).lastPathComponent) \(arguments.first ?? "") exited with \(exitCode): \(text.suffix(2000))")
        }
        return text
    }
}
