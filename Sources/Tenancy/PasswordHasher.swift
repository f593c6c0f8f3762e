import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on the thread pool: one hash takes a quarter second at cost 12 and would stall
/// an event loop for that long.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// The same hash on the calling thread, for start-up work before any request is served.
    func hashNow(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
