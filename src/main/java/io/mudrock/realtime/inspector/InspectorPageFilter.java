package io.mudrock.realtime.inspector;

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
 * Guards the inspector's static files (built into the WAR's {@code inspector/} folder from
 * {@code web/}): with {@code INSPECTOR=false} they answer 404; with it on they are served with
 * {@code Cache-Control: no-cache} (their names carry no version), and {@code /inspector} is
 * redirected to {@code /inspector/} so that the page's relative asset paths resolve.
 *
 * <p>Mapped to the inspector's paths only, never {@code /*}, like the wells page's filter.
 */
@WebFilter(urlPatterns = {"/inspector", "/inspector/*"}, asyncSupported = true,
        dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.FORWARD})
public class InspectorPageFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    transient InspectorConfiguration inspector;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!inspector.settings().enabled()) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.setContentType("text/plain;charset=UTF-8");
            response.getOutputStream().write("MudRock Realtime is running; its Realtime Inspector is off (INSPECTOR=false).\n"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if ("/inspector".equals(request.getServletPath()) && request.getPathInfo() == null) {
            response.sendRedirect(request.getContextPath() + "/inspector/");
            return;
        }
        response.setHeader("Cache-Control", "no-cache");
        chain.doFilter(request, response);
    }
}
