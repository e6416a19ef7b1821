package io.mudrock.realtime.demo;

import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Guards the page's static files (built into the WAR's root from {@code web/}): with
 * {@code DEMO_PAGE=false} they answer 404 as if they were not there; with it on they are served
 * with {@code Cache-Control: no-cache}, because their names carry no version and a browser must
 * not keep running an old bundle against a newer server.
 *
 * <p>Mapped to the page's paths only, never {@code /*}: the WebSocket handshake servlet is
 * asynchronous and must not pass through filters it does not need. The welcome-file forward from
 * {@code /} to {@code /index.html} is caught by the {@code FORWARD} dispatch.
 */
@WebFilter(urlPatterns = {"", "/index.html", "/assets/*"}, asyncSupported = true,
        dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.FORWARD})
public class DemoPageFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    transient DemoConfiguration demo;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!demo.settings().pageEnabled()) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.setContentType("text/plain;charset=UTF-8");
            response.getOutputStream().write(("MudRock Realtime is running; its wells page is off (DEMO_PAGE=false).\n")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        response.setHeader("Cache-Control", "no-cache");
        chain.doFilter(request, response);
    }
}
