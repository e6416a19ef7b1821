package io.mudrock.realtime.page;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Guards a page's static files (built into the WAR from {@code web/}): while the page is off they
 * answer 404 with a line that names the switch, as if they were not there; while it is on they are
 * served with {@code Cache-Control: no-cache}, because their names carry no version and a browser
 * must not keep running an old bundle against a newer server.
 *
 * <p>Subclasses are mapped to their page's paths only, never {@code /*}: the WebSocket handshake
 * servlet is asynchronous and must not pass through filters it does not need.
 */
public abstract class PageFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Override
    protected final void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!pageOn()) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.setContentType("text/plain;charset=UTF-8");
            response.getOutputStream().write((offMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (redirected(request, response)) {
            return;
        }
        response.setHeader("Cache-Control", "no-cache");
        chain.doFilter(request, response);
    }

    /** Whether the page is switched on. */
    protected abstract boolean pageOn();

    /** What a request gets while the page is off: one line naming the switch. */
    protected abstract String offMessage();

    /**
     * Sends a redirect instead of the file when the page needs one (e.g. to its folder, so that
     * relative asset paths resolve); none by default.
     *
     * @return true when the response is a redirect
     */
    protected boolean redirected(HttpServletRequest request, HttpServletResponse response) throws IOException {
        return false;
    }
}
