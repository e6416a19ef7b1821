package io.mudrock.realtime.inspector;

import io.mudrock.realtime.page.PageFilter;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Guards the inspector's files, built into the WAR's {@code inspector/} folder ({@code INSPECTOR};
 * see {@link PageFilter}), and redirects {@code /inspector} to {@code /inspector/} so that the
 * page's relative asset paths resolve.
 */
@WebFilter(urlPatterns = {"/inspector", "/inspector/*"}, asyncSupported = true,
        dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.FORWARD})
public class InspectorPageFilter extends PageFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    transient InspectorConfiguration inspector;

    @Override
    protected boolean pageOn() {
        return inspector.settings().enabled();
    }

    @Override
    protected String offMessage() {
        return "MudRock Realtime is running; its Realtime Inspector is off (INSPECTOR=false).";
    }

    @Override
    protected boolean redirected(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("/inspector".equals(request.getServletPath()) && request.getPathInfo() == null) {
            response.sendRedirect(request.getContextPath() + "/inspector/");
            return true;
        }
        return false;
    }
}
