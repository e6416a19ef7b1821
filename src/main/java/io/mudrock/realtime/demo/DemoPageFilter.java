package io.mudrock.realtime.demo;

import io.mudrock.realtime.page.PageFilter;
import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.annotation.WebFilter;

/**
 * Guards the wells page's files, built into the WAR's root ({@code DEMO_PAGE}; see
 * {@link PageFilter}). The welcome-file forward from {@code /} to {@code /index.html} is caught by
 * the {@code FORWARD} dispatch.
 */
@WebFilter(urlPatterns = {"", "/index.html", "/assets/*"}, asyncSupported = true,
        dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.FORWARD})
public class DemoPageFilter extends PageFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    transient DemoConfiguration demo;

    @Override
    protected boolean pageOn() {
        return demo.settings().pageEnabled();
    }

    @Override
    protected String offMessage() {
        return "MudRock Realtime is running; its wells page is off (DEMO_PAGE=false).";
    }
}
