// Colorizer's browser side: the compare slider's dragging, clipboard paste, full screen and downloads.
// Kept small and dependency-free; Blazor calls these through IJSRuntime.
window.colorizer = {
    // Marks the page as interactive (the circuit is up), for tests and for styles that need it.
    markReady: function () {
        document.body.setAttribute("data-circuit", "ready");
    },

    // Saves a .NET stream (DotNetStreamReference) as a file: full-resolution results never travel as data URLs.
    downloadStream: async function (fileName, contentType, streamReference) {
        const buffer = await streamReference.arrayBuffer();
        const url = URL.createObjectURL(new Blob([buffer], { type: contentType }));
        const anchor = document.createElement("a");
        anchor.href = url;
        anchor.download = fileName;
        document.body.appendChild(anchor);
        anchor.click();
        anchor.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
    },

    fullScreen: function (element) {
        if (document.fullscreenElement) {
            return document.exitFullscreen();
        }
        return element.requestFullscreen();
    },

    // The divider of a compare view: pointer (mouse, touch, pen) drags it, arrow keys step it (Shift for big steps),
    // Home/End jump to the ends. The split lives in the CSS variable --split, so both images stay in one box.
    initCompare: function (element) {
        const handle = element.querySelector(".compare-handle");
        let split = 50;
        let dragging = false;

        const set = function (value) {
            split = Math.min(100, Math.max(0, value));
            element.style.setProperty("--split", split + "%");
            handle.setAttribute("aria-valuenow", Math.round(split));
            handle.setAttribute("aria-valuetext", Math.round(split) + "% original");
        };
        const fromPointer = function (event) {
            const box = element.getBoundingClientRect();
            if (box.width > 0) {
                set((event.clientX - box.left) / box.width * 100);
            }
        };
        const down = function (event) {
            if (event.button !== undefined && event.button !== 0) {
                return;
            }
            dragging = true;
            element.setPointerCapture(event.pointerId);
            fromPointer(event);
            handle.focus({ preventScroll: true });
            event.preventDefault();
        };
        const move = function (event) {
            if (dragging) {
                fromPointer(event);
            }
        };
        const up = function (event) {
            dragging = false;
            if (element.hasPointerCapture(event.pointerId)) {
                element.releasePointerCapture(event.pointerId);
            }
        };
        const key = function (event) {
            const step = event.shiftKey ? 10 : 2;
            const moves = { ArrowLeft: -step, ArrowDown: -step, ArrowRight: step, ArrowUp: step };
            if (event.key in moves) {
                set(split + moves[event.key]);
            } else if (event.key === "Home") {
                set(0);
            } else if (event.key === "End") {
                set(100);
            } else {
                return;
            }
            event.preventDefault();
        };

        element.addEventListener("pointerdown", down);
        element.addEventListener("pointermove", move);
        element.addEventListener("pointerup", up);
        element.addEventListener("pointercancel", up);
        handle.addEventListener("keydown", key);
        set(split);
        return {
            dispose: function () {
                element.removeEventListener("pointerdown", down);
                element.removeEventListener("pointermove", move);
                element.removeEventListener("pointerup", up);
                element.removeEventListener("pointercancel", up);
                handle.removeEventListener("keydown", key);
            }
        };
    },

    // Paste from the clipboard anywhere on the page: image files are handed to the upload's file input, which
    // Blazor then reads as if they had been picked.
    initPaste: function (inputSelector) {
        const paste = function (event) {
            const input = document.querySelector(inputSelector);
            const items = event.clipboardData ? Array.from(event.clipboardData.items) : [];
            const files = items.filter(i => i.kind === "file" && i.type.startsWith("image/")).map(i => i.getAsFile()).filter(f => f);
            if (!input || files.length === 0) {
                return;
            }
            const transfer = new DataTransfer();
            files.forEach((file, index) => {
                const name = file.name && file.name !== "image.png" ? file.name : "pasted-" + (index + 1) + "." + (file.type.split("/")[1] || "png");
                transfer.items.add(new File([file], name, { type: file.type }));
            });
            input.files = transfer.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
            event.preventDefault();
        };
        document.addEventListener("paste", paste);
        return {
            dispose: function () {
                document.removeEventListener("paste", paste);
            }
        };
    }
};
