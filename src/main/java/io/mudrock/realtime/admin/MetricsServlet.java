package io.mudrock.realtime.admin;

import io.mudrock.realtime.auth.MetricsTokenVerifier;
import io.mudrock.realtime.config.RealtimeConfig;
import io.mudrock.realtime.metrics.RealtimeMetrics;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.logging.Logger;

/**
 * {@code GET /metrics}: every series in the Prometheus text format, for a Bearer JWT signed with
 * {@code METRICS_JWT_SECRET} (upstream's protection). A servlet of our application rather than
 * Liberty's mpMetrics endpoint: that one sits on Liberty's admin virtual host beside {@code /health}
 * and can only be guarded by Liberty's own security (HTTPS and a user registry), not by a token of
 * ours. See README "Metrics".
 */
@WebServlet(urlPatterns = "/metrics", loadOnStartup = 2)
public class MetricsServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(MetricsServlet.class.getName());

    @Inject
    transient RealtimeConfig config;

    private transient volatile MetricsTokenVerifier verifier;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MetricsTokenVerifier.Verdict verdict = verifier().verify(request.getHeader("Authorization"));
        if (!verdict.admitted()) {
            LOG.info(() -> "Metrics scrape refused from " + request.getRemoteAddr() + ": " + verdict.reason());
            response.setStatus(verdict.status());
            if (verdict.status() == HttpServletResponse.SC_UNAUTHORIZED) {
                response.setHeader("WWW-Authenticate", "Bearer");
            }
            response.setContentType("text/plain; charset=utf-8");
            response.getOutputStream().write((verdict.reason() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        response.setContentType(RealtimeMetrics.contentType());
        response.setHeader("Cache-Control", "no-store");
        RealtimeMetrics.scrape(response.getOutputStream());
    }

    @Override
    public void destroy() {
        RealtimeMetrics.shutdown();
    }

    private MetricsTokenVerifier verifier() {
        MetricsTokenVerifier current = verifier;
        if (current == null) {
            current = new MetricsTokenVerifier(config.metricsJwtSecret(), Clock.systemUTC());
            verifier = current;
        }
        return current;
    }
}
