import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Hummingbird's HTTP/2-upgrade channel (TLS, then HTTP/2 or HTTP/1.1 by ALPN) with a deadline on
/// the TLS handshake. The idle timeout only starts once the handshake has chosen a protocol, so
/// without one a client that opens a connection and never finishes its handshake holds the socket
/// for as long as it likes.
struct HandshakeDeadlineChannel: HTTPChannelHandler {
    let upgrade: HTTP2UpgradeChannel
    let deadline: TimeAmount

    var responder: Responder { upgrade.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP2UpgradeChannel.Value> {
        let configured = upgrade.setup(channel: channel, logger: logger)
        do {
            // Right after the TLS handler, so that it sees the handshake finish before ALPN's handler does.
            let tls = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            try channel.pipeline.syncOperations.addHandler(TLSHandshakeDeadline(deadline), position: .after(tls))
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return configured
    }

    func handle(value: HTTP2UpgradeChannel.Value, logger: Logger) async {
        await upgrade.handle(value: value, logger: logger)
    }
}

/// Closes its connection unless the TLS handshake finishes within `deadline`; removes itself once it has.
final class TLSHandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(_ deadline: TimeAmount) { self.deadline = deadline }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if case .handshakeCompleted = event as? TLSUserEvent {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
