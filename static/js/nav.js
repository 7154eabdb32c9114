// The main navigation: on a narrow screen a "Menu" button discloses the links (a native
// button, so Enter and Space work); its groups (<details>) close on Escape or when another
// opens, so only one drop-down is ever over the page.
(() => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  toggle.hidden = false;
  nav.classList.add("collapsible");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
  const groups = nav.querySelectorAll("details.nav-group");
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) groups.forEach((other) => { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    groups.forEach((group) => {
      if (group.open) {
        group.open = false;
        group.querySelector("summary").focus();
      }
    });
    if (toggle.getAttribute("aria-expanded") === "true" && nav.contains(document.activeElement)) {
      toggle.setAttribute("aria-expanded", "false");
      nav.classList.remove("open");
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    groups.forEach((group) => { if (group.open && !group.contains(event.target)) group.open = false; });
  });
})();
