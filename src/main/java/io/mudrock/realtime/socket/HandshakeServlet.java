package io.mudrock.realtime.socket;

import io.mudrock.realtime.protocol.LogText;
import io.mudrock.realtime.channel.ChannelServices;
import io.mudrock.realtime.channel.ChannelTenant;
import io.mudrock.realtime.channel.TenantActivity;
import io.mudrock.realtime.channel.TokenVerdict;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.config.WebSocketTransport;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import io.mudrock.realtime.protocol.JsonText;
import io.mudrock.realtime.protocol.Serializer;
import io.mudrock.realtime.wire.WebSocketHandshake;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket handshake at {@code /realtime/v1/websocket} and {@code /socket/websocket}: runs the
 * connect checks of §1.4 in upstream's order and answers refusals as real HTTP responses
 * ({@code {"error": "..."}} with the documented status, §1.5) after {@code CONNECT_ERROR_BACKOFF_MS};
 * accepted requests are checked as RFC 6455 upgrades and handed to the transport
 * {@code WEBSOCKET_TRANSPORT} names, with what the handshake established (tenant, token, frame
 * format). A refusal of a browser's valid upgrade ({@code Origin} present, {@code READABLE_REFUSALS}
 * on) is upgraded too, as a {@link RefusedHandshake}, since browsers hide the HTTP answer from the
 * page; its socket tells the same message as a join error reply and a 4000 + status close. The
 * transports: a {@link JakartaSocket} endpoint through the container's Jakarta WebSocket upgrade
 * (the default), or an {@link UpgradedSocket} through the servlet upgrade API. This is the only class
 * that knows which transport is in use.
 *
 * <p>The delay holds no thread: the request goes asynchronous and a timer answers it.
 */
@WebServlet(urlPatterns = {"/socket/websocket", "/realtime/v1/websocket"}, asyncSupported = true, loadOnStartup = 1)
public class HandshakeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(HandshakeServlet.class.getName());

    @Inject
    transient RealtimeConfig config;
    @Inject
    transient ChannelServices services;
    @Inject
    transient TenantResolver tenants;
    @Inject
    transient ConnectionRegistry connections;

    @Override
    public void init() {
        LOG.info(() -> "Realtime sockets on the " + config.webSocketTransport().value() + " WebSocket transport");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String vsn = request.getParameter("vsn");
        Optional<Serializer> serializer = Serializer.fromVsn(vsn);
        if (serializer.isEmpty()) {
            // Refused before the connect checks, as Phoenix negotiates the serializer first.
            boolean readable = readable(request);
            LOG.info(() -> "Handshake refused from " + request.getRemoteAddr() + ": unsupported vsn '" + LogText.of(vsn)
                    + "'" + told(readable, HttpServletResponse.SC_FORBIDDEN));
            refuse(request, response, "?", new HandshakeRefusal(HttpServletResponse.SC_FORBIDDEN,
                    "Unsupported protocol version (vsn) '" + vsn + "': use 1.0.0 or 2.0.0"), serializer, false, readable);
            return;
        }
        TenantResolution resolution = tenants.resolve(request.getHeader("Host"));
        if (resolution instanceof TenantResolution.NotFound notFound) {
            boolean readable = readable(request);
            LOG.info(() -> LogText.tenant(RealtimeMetrics.UNKNOWN_TENANT) + ": handshake refused from " + request.getRemoteAddr()
                    + ": " + LogText.of(notFound.explanation()) + told(readable, HttpServletResponse.SC_NOT_FOUND));
            RealtimeMetrics.unknownTenantRefused();
            refuse(request, response, notFound.tenantId(),
                    new HandshakeRefusal(HttpServletResponse.SC_NOT_FOUND, "Tenant not found"), serializer, true, readable);
            return;
        }
        TenantResolution.Found found = (TenantResolution.Found) resolution;
        ChannelTenant tenant = found.tenant();
        if (found.suspended()) {
            refuse(request, response, tenant, serializer, HttpServletResponse.SC_FORBIDDEN, "Realtime was disabled for this tenant");
            return;
        }
        String token = request.getHeader("x-api-key");
        if (token == null) {
            token = request.getParameter("apikey");
        }
        if (token == null || token.isBlank()) {
            refuse(request, response, tenant, serializer, HttpServletResponse.SC_UNAUTHORIZED, "API key is missing");
            return;
        }
        TokenVerdict verdict = services.tokens().verify(tenant.id(), token);
        if (verdict instanceof TokenVerdict.Refused refused) {
            refuse(request, response, tenant, serializer, HttpServletResponse.SC_UNAUTHORIZED, refused.connectMessage());
            return;
        }
        TokenVerdict.Accepted accepted = (TokenVerdict.Accepted) verdict;
        TenantActivity activity = services.registry().activity(tenant.id());
        if (activity.connectedUsers() >= tenant.maxConcurrentUsers()) {
            refuse(request, response, tenant, serializer, 429, "Too many connected users");
            return;
        }
        if (activity.joins().reached(tenant.maxJoinsPerSecond())) {
            refuse(request, response, tenant, serializer, 429, "Too many joins per second");
            return;
        }
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            answer(request, response, HttpServletResponse.SC_BAD_REQUEST,
                    "This is a WebSocket endpoint: send a WebSocket upgrade request", false);
            return;
        }
        AcceptedHandshake handshake = new AcceptedHandshake(tenant.id(), accepted.claims().token(),
                accepted.claims().role(), serializer.get(), request.getRemoteAddr());
        upgrade(request, response, handshake);
    }

    private void upgrade(HttpServletRequest request, HttpServletResponse response, SocketHandshake handshake)
            throws IOException {
        // The RFC 6455 checks are ours for both transports, so a bad upgrade gets the same answer.
        WebSocketHandshake.Verdict verdict = WebSocketHandshake.check(joined(request, "Connection"),
                request.getHeader("Sec-WebSocket-Version"), request.getHeader("Sec-WebSocket-Key"));
        if (verdict instanceof WebSocketHandshake.Refuse refuse) {
            LOG.info(() -> LogText.tenant(handshake.tenantId()) + ": handshake refused from " + handshake.remote() + ": "
                    + refuse.status() + " " + refuse.message());
            RealtimeMetrics.tenant(handshake.tenantId()).handshakeRefused(HandshakeRefusals.BAD_HANDSHAKE);
            if (refuse.status() == 426) {
                response.setHeader("Sec-WebSocket-Version", WebSocketHandshake.VERSION);
            }
            answer(request, response, refuse.status(), refuse.message(), false);
            return;
        }
        try {
            if (config.webSocketTransport() == WebSocketTransport.SERVLET_UPGRADE) {
                upgradeToOwnSocket(request, response, ((WebSocketHandshake.Accept) verdict).acceptKey(), handshake);
            } else {
                upgradeToJakartaSocket(request, response, handshake);
            }
        } catch (ServletException | DeploymentException | IOException | RuntimeException e) {
            LOG.log(Level.WARNING, LogText.tenant(handshake.tenantId()) + ": WebSocket upgrade failed", e);
            if (!response.isCommitted()) {
                response.reset();
                answer(request, response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Error connecting to Realtime",
                        false);
            }
        }
    }

    /** {@code WEBSOCKET_TRANSPORT=servlet-upgrade}: our own RFC 6455 socket on the servlet upgrade API. */
    private void upgradeToOwnSocket(HttpServletRequest request, HttpServletResponse response, String acceptKey,
            SocketHandshake handshake) throws IOException, ServletException {
        // No extension is negotiated (permessage-deflate offers are ignored) and no subprotocol.
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setHeader("Sec-WebSocket-Accept", acceptKey);
        UpgradedSocket socket = request.upgrade(UpgradedSocket.class);
        socket.prepare(handshake, services, connections, SendQueueLimits.DEFAULT);
    }

    /**
     * The default: the container's Jakarta WebSocket 2.1 upgrade, with an endpoint instance per
     * handshake that its configurator hands to the container.
     */
    private void upgradeToJakartaSocket(HttpServletRequest request, HttpServletResponse response,
            SocketHandshake handshake) throws IOException, DeploymentException {
        ServerContainer container = (ServerContainer) getServletContext().getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("no Jakarta WebSocket container: enable Liberty's websocket-2.1 feature "
                    + "or set WEBSOCKET_TRANSPORT=servlet-upgrade");
        }
        JakartaSocket endpoint = new JakartaSocket(handshake, services, connections, SendQueueLimits.DEFAULT);
        ServerEndpointConfig endpointConfig = ServerEndpointConfig.Builder
                .create(JakartaSocket.class, request.getServletPath())
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(endpoint);
                    }
                })
                .build();
        container.upgradeHttpToWebSocket(request, response, endpointConfig, Map.of());
    }

    /** All values of a header that may be repeated, comma-joined as RFC 9110 allows. */
    private static String joined(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        return String.join(",", Collections.list(values));
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, ChannelTenant tenant,
            Optional<Serializer> serializer, int status, String message) throws IOException {
        boolean readable = readable(request);
        LOG.info(() -> LogText.tenant(tenant.id()) + ": handshake refused from " + request.getRemoteAddr() + ": "
                + status + " " + message + told(readable, status));
        RealtimeMetrics.tenant(tenant.id()).handshakeRefused(HandshakeRefusals.reason(status, message));
        refuse(request, response, tenant.id(), new HandshakeRefusal(status, message), serializer, true, readable);
    }

    /**
     * Answers a refusal: over an upgraded socket when {@code readable} (a {@link RefusedHandshake}),
     * else as the HTTP response, after the connect back-off when {@code delayed}.
     */
    private void refuse(HttpServletRequest request, HttpServletResponse response, String tenantId,
            HandshakeRefusal refusal, Optional<Serializer> serializer, boolean delayed, boolean readable)
            throws IOException {
        if (readable) {
            upgrade(request, response, new RefusedHandshake(tenantId, refusal, serializer.orElse(Serializer.V2),
                    serializer.isPresent(), delayed ? config.connectErrorBackoff() : Duration.ZERO,
                    request.getRemoteAddr()));
        } else {
            answer(request, response, refusal.status(), refusal.message(), delayed);
        }
    }

    /** The log line's note on how a refusal is told: nothing for HTTP, the close code over a socket. */
    private static String told(boolean readable, int status) {
        return readable ? " (a browser: told over the socket, closing with "
                + new HandshakeRefusal(status, "").closeCode() + ")" : "";
    }

    /**
     * Whether a refusal is told over an upgraded socket: a browser's (only browsers send
     * {@code Origin} on their own; Node's ws and undici, Java's client and curl do not) valid
     * WebSocket upgrade, with {@code READABLE_REFUSALS} on and room under the refused sockets' cap.
     * Everyone else gets the HTTP status and body as before.
     */
    private boolean readable(HttpServletRequest request) {
        return config.readableRefusals()
                && request.getHeader("Origin") != null
                && "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                && WebSocketHandshake.check(joined(request, "Connection"), request.getHeader("Sec-WebSocket-Version"),
                        request.getHeader("Sec-WebSocket-Key")) instanceof WebSocketHandshake.Accept
                && connections.refusalsHaveRoom();
    }

    /** Writes {@code {"error": message}}, after the connect back-off when {@code delayed}. */
    private void answer(HttpServletRequest request, HttpServletResponse response, int status, String message,
            boolean delayed) throws IOException {
        long delay = delayed ? config.connectErrorBackoff().toMillis() : 0;
        if (delay <= 0) {
            write(response, status, message);
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(delay + 30_000);
        services.scheduler().schedule(() -> {
            try {
                write((HttpServletResponse) async.getResponse(), status, message);
            } catch (IOException e) {
                LOG.fine(() -> "Refusal could not be written: " + e);
            } finally {
                async.complete();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private static void write(HttpServletResponse response, int status, String message) throws IOException {
        byte[] body = ("{\"error\":" + JsonText.quote(message) + "}").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
